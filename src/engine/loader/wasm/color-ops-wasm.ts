// The SIMD WebAssembly path of a view's colour half (color-ops.wat): jitter ops, grayscale, blur, solarize, normalise.
import type { AugmentConfig } from '../../../shared/config-schema';
import type { ViewOps } from '../../../shared/ipc-contract';
import { boxPasses } from '../../augment/gaussian-blur';
import { COLOR_OPS_WASM_BASE64 } from './wasm-bytes';
import { boxBlurAt } from './box-blur-wasm';
import { instantiate, runOnCopy, threadMemory, type WasmMemory } from './wasm-runtime';

type Op = (p: number, n: number, f: number) => void;
interface Kernels {
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
  const memory = threadMemory();
  if (!k || !memory) return false;
  return runOnCopy(memory, img, 3 * n, () => (op === 'grayscale' ? k.grayscale(0, n) : k[op](0, n, arg)));
}

/**
 * The colour half of a view (as applyColourOps + normalizeInto) in place on the planar floats of size x size at byte
 * offset `p` of the kernel memory, using scratch from byte offset `scratch`. False without WebAssembly SIMD.
 */
export function finishViewAt(memory: WasmMemory, p: number, size: number, ops: ViewOps, c: AugmentConfig, scratch: number): boolean {
  const k = colorOpsKernels();
  if (!k) return false;
  const n = size * size;
  if (ops.jitter) {
    for (const op of ops.jitter.order) {
      if (op === 'brightness' && c.brightness > 0) k.brightness(p, n, ops.jitter.brightness);
      else if (op === 'contrast' && c.contrast > 0) k.contrast(p, n, ops.jitter.contrast);
      else if (op === 'saturation' && c.saturation > 0) k.saturation(p, n, ops.jitter.saturation);
      else if (op === 'hue' && c.hue > 0) k.hue(p, n, ops.jitter.hue);
    }
  }
  if (ops.grayscale) k.grayscale(p, n);
  if (ops.blurSigma !== null && ops.blurSigma > 0) {
    const { l, ww, fw } = boxPasses(ops.blurSigma);
    if (ops.grayscale) {
      // three equal planes: blur one, copy it (same result, a third of the work)
      if (!boxBlurAt(memory, p, size, size, 1, l, ww, fw, scratch)) return false;
      const bytes = new Uint8Array(memory.buffer);
      bytes.copyWithin(p + n * 4, p, p + n * 4);
      bytes.copyWithin(p + 2 * n * 4, p, p + n * 4);
    } else if (!boxBlurAt(memory, p, size, size, 3, l, ww, fw, scratch)) return false;
  }
  if (ops.solarize) k.solarize(p, n, c.solarizeThreshold / 255);
  k.normalize(p, n, c.mean[0], c.mean[1], c.mean[2], 1 / c.std[0], 1 / c.std[1], 1 / c.std[2]);
  return true;
}
