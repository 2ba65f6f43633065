// The SIMD WebAssembly path of the Pillow-style Gaussian blur (box-blur.wat): same passes as gaussian-blur.ts, 4 columns at a time.
import { BOX_BLUR_WASM_BASE64 } from './wasm-bytes';
import { align16, ensureMemory, instantiate, runOnCopy, threadMemory, type WasmMemory } from './wasm-runtime';

interface Kernels {
  blur: (img: number, w: number, h: number, channels: number, l: number, ww: number, fw: number, scratch: number) => void;
}

let kernels: Kernels | null | undefined;

export function boxBlurKernels(): Kernels | null {
  if (kernels === undefined) kernels = instantiate<Kernels>(BOX_BLUR_WASM_BASE64);
  return kernels;
}

/** Scratch bytes the blur of a width x height plane needs. */
export const boxBlurScratchBytes = (width: number, height: number): number => 2 * width * height * 4 + Math.max(width, height) * 4 + 16;

/**
 * Blur `channels` planes of width x height at byte offset `img` of the kernel memory in place with the extended box of
 * integer radius l and weights ww, fw (3 passes per axis), using scratch from byte offset `scratch` (grown as needed).
 */
export function boxBlurAt(memory: WasmMemory, img: number, width: number, height: number, channels: number, l: number, ww: number, fw: number, scratch: number): boolean {
  const k = boxBlurKernels();
  if (!k) return false;
  const at = align16(scratch);
  ensureMemory(memory, at + boxBlurScratchBytes(width, height));
  k.blur(img, width, height, channels, l, ww, fw, at);
  return true;
}

/**
 * Blur `channels` planes of width x height (the first channels * width * height floats of img) in place with the
 * extended box of integer radius l and weights ww, fw, 3 passes per axis. False when WebAssembly SIMD is unavailable.
 */
export function boxBlurWasm(img: Float32Array, width: number, height: number, channels: number, l: number, ww: number, fw: number): boolean {
  const memory = threadMemory();
  if (!boxBlurKernels() || !memory) return false;
  return runOnCopy(memory, img, channels * width * height, (scratch) => boxBlurAt(memory, 0, width, height, channels, l, ww, fw, scratch));
}
