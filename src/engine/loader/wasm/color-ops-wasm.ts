// The SIMD WebAssembly path of a view's colour half (color-ops.wat): jitter ops, grayscale, blur, solarize, normalise.
import type { AugmentConfig } from '../../../shared/config-schema';
import type { ViewOps } from '../../../shared/ipc-contract';
import { gaussianBlur } from '../../augment/gaussian-blur';
import { COLOR_OPS_WASM_BASE64 } from './wasm-bytes';
import { ensureMemory, instantiate, type WasmMemory } from './wasm-runtime';

type Op = (p: number, n: number, f: number) => void;
interface Kernels {
  memory: WasmMemory;
  brightness: Op;
  contrast: Op;
  saturation: Op;
  hue: Op;
  solarize: Op;
  grayscale: (p: number, n: number) => void;
  normalize: (p: number, n: number, m0: number, m1: number, m2: number, s0: number, s1: number, s2: number) => void;
}

let kernels: Kernels | null | undefined;

export function colorOpsKernels(): Kernels | null {
  if (kernels === undefined) kernels = instantiate<Kernels>(COLOR_OPS_WASM_BASE64);
  return kernels;
}

/** Run one kernel op on planar floats (for tests against the golden values). False without WebAssembly SIMD. */
export function colorOpWasm(op: 'brightness' | 'contrast' | 'saturation' | 'hue' | 'solarize' | 'grayscale', img: Float32Array, n: number, arg = 0): boolean {
  const k = colorOpsKernels();
  if (!k) return false;
  ensureMemory(k.memory, 3 * n * 4);
  new Float32Array(k.memory.buffer, 0, 3 * n).set(img.subarray(0, 3 * n));
  if (op === 'grayscale') k.grayscale(0, n);
  else k[op](0, n, arg);
  img.set(new Float32Array(k.memory.buffer, 0, 3 * n));
  return true;
}

/**
 * The colour half of a view (as applyColourOps + normalizeInto) on planar floats `work` of size x size, writing the
 * normalised result at out[offset ..]. `work` is left in an unspecified state. False without WebAssembly SIMD.
 */
export function finishViewWasm(work: Float32Array, size: number, ops: ViewOps, c: AugmentConfig, out: Float32Array, offset: number): boolean {
  const k = colorOpsKernels();
  if (!k) return false;
  const n = size * size;
  ensureMemory(k.memory, 3 * n * 4);
  const mem = () => new Float32Array(k.memory.buffer, 0, 3 * n);
  mem().set(work.subarray(0, 3 * n));
  if (ops.jitter) {
    for (const op of ops.jitter.order) {
      if (op === 'brightness' && c.brightness > 0) k.brightness(0, n, ops.jitter.brightness);
      else if (op === 'contrast' && c.contrast > 0) k.contrast(0, n, ops.jitter.contrast);
      else if (op === 'saturation' && c.saturation > 0) k.saturation(0, n, ops.jitter.saturation);
      else if (op === 'hue' && c.hue > 0) k.hue(0, n, ops.jitter.hue);
    }
  }
  if (ops.grayscale) k.grayscale(0, n);
  if (ops.blurSigma !== null) {
    work.set(mem());
    if (ops.grayscale) {
      gaussianBlur(work, size, size, ops.blurSigma, 1);
      work.copyWithin(n, 0, n);
      work.copyWithin(2 * n, 0, n);
    } else gaussianBlur(work, size, size, ops.blurSigma);
    mem().set(work.subarray(0, 3 * n));
  }
  if (ops.solarize) k.solarize(0, n, c.solarizeThreshold / 255);
  k.normalize(0, n, c.mean[0], c.mean[1], c.mean[2], 1 / c.std[0], 1 / c.std[1], 1 / c.std[2]);
  out.set(mem(), offset);
  return true;
}
