// Applies one view's drawn colour ops to its resized crop and writes the normalised CHW floats into a batch buffer.
import type { AugmentConfig } from '../../shared/config-schema';
import type { ViewOps } from '../../shared/ipc-contract';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, normalizeInto, solarize, toGrayscale } from './color-ops';
import { gaussianBlur } from './gaussian-blur';

/** Interleaved size x size RGB bytes -> planar floats in [0,1], mirrored left-right when `flip`. `work` holds 3 * n values. */
export function rgbBytesToPlanar(rgb: Uint8Array, size: number, flip: boolean, work: Float32Array): void {
  const inv = 1 / 255;
  const n = size * size;
  for (let y = 0; y < size; y++) {
    const row = y * size;
    for (let x = 0; x < size; x++) {
      const j = 3 * (row + (flip ? size - 1 - x : x));
      const i = row + x;
      work[i] = rgb[j]! * inv;
      work[n + i] = rgb[j + 1]! * inv;
      work[2 * n + i] = rgb[j + 2]! * inv;
    }
  }
}

/** Jitter (ops in drawn order), grayscale, blur, solarize on planar floats `work` of size x size, in place. */
export function applyColourOps(work: Float32Array, size: number, ops: ViewOps, c: AugmentConfig): void {
  const n = size * size;
  if (ops.jitter) {
    for (const op of ops.jitter.order) {
      if (op === 'brightness' && c.brightness > 0) adjustBrightness(work, n, ops.jitter.brightness);
      else if (op === 'contrast' && c.contrast > 0) adjustContrast(work, n, ops.jitter.contrast);
      else if (op === 'saturation' && c.saturation > 0) adjustSaturation(work, n, ops.jitter.saturation);
      else if (op === 'hue' && c.hue > 0) adjustHue(work, n, ops.jitter.hue);
    }
  }
  if (ops.grayscale) toGrayscale(work, n);
  if (ops.blurSigma !== null) gaussianBlur(work, size, size, ops.blurSigma);
  if (ops.solarize) solarize(work, n, c.solarizeThreshold / 255);
}

/** The pixel half of a view after the resized crop: flip, colour ops, normalised floats at out[offset ..]. */
export function finishView(rgb: Uint8Array, size: number, ops: ViewOps, c: AugmentConfig, work: Float32Array, out: Float32Array, offset: number): void {
  const n = size * size;
  rgbBytesToPlanar(rgb, size, ops.flip, work);
  applyColourOps(work, size, ops, c);
  normalizeInto(work, n, c.mean, c.std, out, offset);
}
