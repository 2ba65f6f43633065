// The SIMD WebAssembly path of crop resampling: same Pillow bicubic as crop-resample.ts, f32x4 per RGB pixel (about 3x faster).
import { resampleCoeffs, resampleTaps } from '../crop-resample';
import { CROP_RESAMPLE_WASM_BASE64 } from './wasm-bytes';
import { align16 as align, ensureMemory, instantiate, placeSource, threadMemory, type WasmMemory } from './wasm-runtime';

interface Kernels {
  horizontal: (src: number, stride: number, y0: number, rows: number, xs: number, xc: number, xw: number, maxTaps: number, size: number, flip: number, tmp: number, rowbuf: number, rowStride: number) => void;
  vertical: (tmp: number, size: number, ys: number, yc: number, yw: number, maxTaps: number, y0: number, out: number) => void;
}

let kernels: Kernels | null | undefined;

/** The instantiated kernels of this thread, or null when this runtime lacks WebAssembly SIMD. */
export function wasmKernels(): Kernels | null {
  if (kernels === undefined) kernels = instantiate<Kernels>(CROP_RESAMPLE_WASM_BASE64);
  return kernels;
}

/** Where a resampled view landed in the thread's kernel memory. */
export interface ResampledAt {
  memory: WasmMemory;
  /** Byte offset of the 3 planes of size x size floats in [0,1]. */
  out: number;
  /** First free byte offset after everything this call used (scratch for later steps). */
  end: number;
}

/**
 * Resample `box` (fractional, in the pixels of src) of interleaved RGB bytes into size x size planar floats in [0,1]
 * inside the kernel memory, mirrored when `flip`; the source is copied in only when it is not already there.
 * Null (doing nothing) when WebAssembly SIMD is unavailable.
 */
export function cropResampleAt(
  src: Uint8Array,
  srcWidth: number,
  srcHeight: number,
  box: { x: number; y: number; w: number; h: number },
  size: number,
  flip: boolean,
): ResampledAt | null {
  const k = wasmKernels();
  const memory = threadMemory();
  if (!k || !memory) return null;
  const xTaps = resampleTaps(box.w, size);
  const yTaps = resampleTaps(box.h, size);
  // layout: [src + 16 bytes of padding | out | xs xc xw | ys yc yw | tmp | 4 row buffers]; coefficients are
  // computed straight into kernel memory
  const o = placeSource(memory, src);
  const xs = align(o + 3 * size * size * 4);
  const xc = xs + size * 4;
  const xw = xc + size * 4;
  const ys = align(xw + size * xTaps * 4);
  const yc = ys + size * 4;
  const yw = yc + size * 4;
  const tmp = align(yw + size * yTaps * 4);
  ensureMemory(memory, tmp);
  const buf = memory.buffer;
  resampleCoeffs(srcWidth, box.x, box.x + box.w, size, { start: new Int32Array(buf, xs, size), count: new Int32Array(buf, xc, size), weights: new Float32Array(buf, xw, size * xTaps) });
  const cy = resampleCoeffs(srcHeight, box.y, box.y + box.h, size, { start: new Int32Array(buf, ys, size), count: new Int32Array(buf, yc, size), weights: new Float32Array(buf, yw, size * yTaps) });
  const y0 = cy.start[0]!;
  const rows = cy.start[size - 1]! + cy.count[size - 1]! - y0;
  const rowbuf = align(tmp + (Math.ceil(rows / 4) * 4) * size * 16); // the horizontal pass works 4 rows at a time
  const rowStride = align((srcWidth + 4) * 16);
  const end = rowbuf + 4 * rowStride;
  ensureMemory(memory, end);
  k.horizontal(0, srcWidth * 3, y0, rows, xs, xc, xw, xTaps, size, flip ? 1 : 0, tmp, rowbuf, rowStride);
  k.vertical(tmp, size, ys, yc, yw, yTaps, y0, o);
  // the view's planes come first after the source: later steps may reuse everything from xs on as scratch
  return { memory, out: o, end: xs };
}
