// Applies one view's drawn colour ops to its resized crop (planar floats) and writes the normalised CHW floats into a batch.
import type { AugmentConfig } from '../../shared/config-schema';
import type { ViewOps } from '../../shared/ipc-contract';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, normalizeInto, solarize, toGrayscale } from './color-ops';
import { gaussianBlur } from './gaussian-blur';

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
  if (ops.blurSigma !== null) {
    if (ops.grayscale) {
      // three equal planes: blur one, copy it (same result, a third of the work)
      gaussianBlur(work, size, size, ops.blurSigma, 1);
      work.copyWithin(n, 0, n);
      work.copyWithin(2 * n, 0, n);
    } else gaussianBlur(work, size, size, ops.blurSigma);
  }
  if (ops.solarize) solarize(work, n, c.solarizeThreshold / 255);
}

/**
 * The pixel half of a view after the resized (and flipped) crop: colour ops on `work`, normalised floats at
 * out[offset ..] (the TypeScript path: render-view.ts uses the WebAssembly one when the runtime has SIMD).
 */
export function finishView(work: Float32Array, size: number, ops: ViewOps, c: AugmentConfig, out: Float32Array, offset: number): void {
  applyColourOps(work, size, ops, c);
  normalizeInto(work, size * size, c.mean, c.std, out, offset);
}
