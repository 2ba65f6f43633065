// The SIMD WebAssembly path of the Pillow-style Gaussian blur (box-blur.wat): same passes as gaussian-blur.ts, 4 columns at a time.
import { BOX_BLUR_WASM_BASE64 } from './wasm-bytes';
import { ensureMemory, instantiate, type WasmMemory } from './wasm-runtime';

interface Kernels {
  memory: WasmMemory;
  blur: (img: number, w: number, h: number, channels: number, l: number, ww: number, fw: number, scratch: number) => void;
}

let kernels: Kernels | null | undefined;

export function boxBlurKernels(): Kernels | null {
  if (kernels === undefined) kernels = instantiate<Kernels>(BOX_BLUR_WASM_BASE64);
  return kernels;
}

/**
 * Blur `channels` planes of width x height (the first channels * width * height floats of img) in place with the
 * extended box of integer radius l and weights ww, fw, 3 passes per axis. False when WebAssembly SIMD is unavailable.
 */
export function boxBlurWasm(img: Float32Array, width: number, height: number, channels: number, l: number, ww: number, fw: number): boolean {
  const k = boxBlurKernels();
  if (!k) return false;
  const n = width * height;
  const imgBytes = channels * n * 4;
  const scratch = (imgBytes + 15) & ~15;
  ensureMemory(k.memory, scratch + 2 * n * 4 + Math.max(width, height) * 4 + 16);
  const view = new Float32Array(k.memory.buffer, 0, channels * n);
  view.set(img.subarray(0, channels * n));
  k.blur(0, width, height, channels, l, ww, fw, scratch);
  img.set(new Float32Array(k.memory.buffer, 0, channels * n));
  return true;
}
