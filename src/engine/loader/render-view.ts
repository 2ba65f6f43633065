// One view's pixels end to end (crop, resize, flip, colour ops, blur, solarize, normalise) into a slot of a batch.
//
// With WebAssembly SIMD (Node 20, Electron) every step runs in place in one kernel memory: the decoded source is
// copied in once per image and the finished view copied out once. Without it, the TypeScript kernels do the same.
import type { AugmentConfig } from '../../shared/config-schema';
import type { CropBox, ViewOps } from '../../shared/ipc-contract';
import { finishView } from '../augment/apply-view-ops';
import { cropView, decodedBox, type DecodedImage } from './decode-image';
import { cropResampleAt } from './wasm/crop-resample-wasm';
import { finishViewAt } from './wasm/color-ops-wasm';

/** Buffers the TypeScript path reuses between views (the wasm path needs none). */
export interface ViewScratch {
  work: Float32Array;
  tmp: Float32Array;
}

export const newViewScratch = (): ViewScratch => ({ work: new Float32Array(0), tmp: new Float32Array(0) });

/** The view of `img` cut at `box` (source pixels), size x size, with `ops`, normalised into out[offset ..]. */
export function renderView(img: DecodedImage, box: CropBox, size: number, ops: ViewOps, c: AugmentConfig, out: Float32Array, offset: number, scratch: ViewScratch): void {
  const len = 3 * size * size;
  const at = cropResampleAt(img.data, img.width, img.height, decodedBox(img, box), size, ops.flip);
  if (at && finishViewAt(at.memory, at.out, size, ops, c, at.end)) {
    out.set(new Float32Array(at.memory.buffer, at.out, len), offset);
    return;
  }
  if (scratch.work.length < len) scratch.work = new Float32Array(len);
  cropView(img, box, size, ops.flip, scratch.work, scratch);
  finishView(scratch.work, size, ops, c, out, offset);
}
