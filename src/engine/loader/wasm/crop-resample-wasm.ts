// The SIMD WebAssembly path of crop resampling: same Pillow bicubic as crop-resample.ts, f32x4 per RGB pixel (about 3x faster).
import { resampleCoeffs } from '../crop-resample';
import { CROP_RESAMPLE_WASM_BASE64 } from './wasm-bytes';
import { align16 as align, ensureMemory, instantiate, type WasmMemory } from './wasm-runtime';

interface Kernels {
  memory: WasmMemory;
  horizontal: (src: number, stride: number, y0: number, rows: number, xs: number, xc: number, xw: number, maxTaps: number, size: number, flip: number, tmp: number, rowbuf: number) => void;
  vertical: (tmp: number, size: number, ys: number, yc: number, yw: number, maxTaps: number, y0: number, out: number) => void;
}

let kernels: Kernels | null | undefined;

/** The instantiated kernels of this thread, or null when this runtime lacks WebAssembly SIMD. */
export function wasmKernels(): Kernels | null {
  if (kernels === undefined) kernels = instantiate<Kernels>(CROP_RESAMPLE_WASM_BASE64);
  return kernels;
}

/** The source image currently copied into wasm memory (loaded once per image, reused by its views). */
let loaded: { data: Uint8Array; bytes: number } | null = null;

/**
 * Resample `box` (fractional, in the pixels of src) of interleaved RGB bytes into size x size planar floats in [0,1]
 * at out[0 ..], mirrored when `flip`. Returns false (doing nothing) when WebAssembly SIMD is unavailable.
 */
export function cropResampleWasm(
  src: Uint8Array,
  srcWidth: number,
  srcHeight: number,
  box: { x: number; y: number; w: number; h: number },
  size: number,
  flip: boolean,
  out: Float32Array,
): boolean {
  const k = wasmKernels();
  if (!k) return false;
  const cx = resampleCoeffs(srcWidth, box.x, box.x + box.w, size);
  const cy = resampleCoeffs(srcHeight, box.y, box.y + box.h, size);
  const y0 = cy.start[0]!;
  const rows = cy.start[size - 1]! + cy.count[size - 1]! - y0;
  // layout: [src + 16 bytes of padding | tmp | xs xc xw | ys yc yw | out | row buffer]
  const srcBytes = align(src.length + 16);
  const tmp = srcBytes;
  const xs = align(tmp + rows * size * 16);
  const xc = xs + size * 4;
  const xw = xc + size * 4;
  const ys = align(xw + size * cx.maxTaps * 4);
  const yc = ys + size * 4;
  const yw = yc + size * 4;
  const o = align(yw + size * cy.maxTaps * 4);
  const rowbuf = align(o + 3 * size * size * 4);
  const end = rowbuf + (srcWidth + 1) * 16;
  ensureMemory(k.memory, end);
  const buf = k.memory.buffer;
  if (loaded?.data !== src || loaded.bytes !== buf.byteLength) {
    new Uint8Array(buf, 0, src.length).set(src);
    loaded = { data: src, bytes: buf.byteLength };
  }
  new Int32Array(buf, xs, size).set(cx.start);
  new Int32Array(buf, xc, size).set(cx.count);
  new Float32Array(buf, xw, size * cx.maxTaps).set(cx.weights);
  new Int32Array(buf, ys, size).set(cy.start);
  new Int32Array(buf, yc, size).set(cy.count);
  new Float32Array(buf, yw, size * cy.maxTaps).set(cy.weights);
  k.horizontal(0, srcWidth * 3, y0, rows, xs, xc, xw, cx.maxTaps, size, flip ? 1 : 0, tmp, rowbuf);
  k.vertical(tmp, size, ys, yc, yw, cy.maxTaps, y0, o);
  out.set(new Float32Array(buf, o, 3 * size * size));
  return true;
}

/** Forget the cached source (call when its bytes are reused for another image). */
export function forgetLoadedSource(): void {
  loaded = null;
}
