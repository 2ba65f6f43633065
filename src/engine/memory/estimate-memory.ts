// The memory model of a configuration: parameters, AdamW state, teacher, gradients, activations per resolution group, loader buffers, runtime; fits / largest batch / advice.
import type { StudioConfig } from '../../shared/config-schema';
import type { AdapterInfo, BackendName, MemoryEstimate } from '../../shared/ipc-contract';
import { BACKENDS } from '../backends/backend-registry';
import { adapterLabel } from '../backends/webgpu-adapter';
import { bufferLimitBytes, largestBuffer } from './gpu-buffers';
import { studentBackboneFloats, studentHeadLossFloats, teacherBackboneFloats } from './activation-model';
import { countParameters } from './parameter-count';

export type MemoryBackend = BackendName;

const MB = 2 ** 20;
const FLOAT = 4;

/**
 * RSS of the engine process with (almost) no model: Node 20, V8, tfjs-core with its backend, sharp/libvips, the
 * engine's modules. Measured: `multicrop bench-train --json --threads 1 --steps 1 --arch vit_tiny --depth 1
 * --global-size 16 --local-crops 0 --out-dim 16 --head-hidden-dim 16 --head-bottleneck-dim 16 --batch-size 1`
 * peaks at 201 MB (wasm) and 216 MB (cpu) under tsx, about 10 MB of which is that tiny model.
 */
export const RUNTIME_BASE_MB = 190;
/**
 * Each loader worker thread: its own V8 isolate, sharp's per-thread state and the batch it builds. Measured:
 * `multicrop bench-loader --json --workers 2` on the sample dataset (batch 16, 96/48 px x4) peaks 80 MB above
 * `--workers 0`.
 */
export const WORKER_THREAD_MB = 40;
/** The wasm backend's heap cannot grow past 4 GiB - 64 KiB (emscripten getHeapMax in tfjs-backend-wasm 4.22). */
export const WASM_HEAP_LIMIT_MB = 4294901760 / MB;

export interface MemoryContext {
  backend: MemoryBackend;
  /** Memory the whole engine process may use (MB): available system memory (+ the engine's own RSS). */
  systemAvailableMb: number;
  /** webgpu: the adapter whose per-buffer limits a configuration must respect (null: not known here). */
  adapter?: AdapterInfo | null;
}

export interface MemoryParts {
  parameters: number; // floats
  teacher: number;
  optimizer: number;
  gradients: number;
  activations: number;
  loaderBytes: number;
  runtimeMb: number;
  /** Bytes of one loader batch (Float32 views of every resolution group). */
  batchBytes: number;
}

type EstimateKeys =
  | 'arch'
  | 'patchSize'
  | 'depth'
  | 'outDim'
  | 'headHiddenDim'
  | 'headBottleneckDim'
  | 'normLastLayer'
  | 'globalSize'
  | 'localSize'
  | 'localCrops'
  | 'batchSize'
  | 'accumulate'
  | 'clipGrad'
  | 'workers'
  | 'prefetch';
export type EstimateConfig = Pick<StudioConfig, EstimateKeys>;

/** Floats of the DINO head (MLP, weight-normalised last layer v and g). */
function headFloats(c: EstimateConfig): number {
  const d = countParameters(c).embedDim;
  const h = c.headHiddenDim;
  const bn = c.headBottleneckDim;
  return d * h + h + h * h + h + h * bn + bn + bn * c.outDim + c.outDim;
}

/** The memory parts of one configuration on one backend (floats for tensors, bytes / MB as named). */
export function memoryParts(c: EstimateConfig, backend: MemoryBackend): MemoryParts {
  const pc = countParameters(c);
  const b = c.batchSize;
  const n = c.localCrops;
  const views = 2 + n;
  const d = pc.embedDim;
  const blockParams = 12 * d * d + 13 * d;
  const model = { embedDim: d, heads: pc.heads, depth: c.depth, patchSize: c.patchSize, blockParams, embedParams: 0 };
  const headParams = headFloats(c);
  model.embedParams = pc.total - c.depth * blockParams - headParams;
  const tokens = (size: number) => (size / c.patchSize) ** 2 + 1;
  const h = c.headHiddenDim;
  const head = { hidden: h, bottleneck: c.headBottleneckDim, outDim: c.outDim, mlpParams: d * h + h + h * h + h + h * c.headBottleneckDim + c.headBottleneckDim };

  // Student: every resolution group through the backbone, one head pass over all views, the loss; differentiated
  // (the measured coefficients include the parameter gradients of one micro-batch).
  const studentPeak =
    studentBackboneFloats({ n: 2 * b, tokens: tokens(c.globalSize) }, model) +
    (n > 0 ? studentBackboneFloats({ n: n * b, tokens: tokens(c.localSize) }, model) : 0) +
    studentHeadLossFloats(views, b, head);
  // Teacher: the two globals in one tidy before the student; its logits [2B, K] stay alive through the student pass.
  const teacherLogits = 2 * b * c.outDim;
  const teacherPass = teacherBackboneFloats({ n: 2 * b, tokens: tokens(c.globalSize) }, model) + 2 * b * (6 * h + 3 * c.headBottleneckDim) + 3 * head.bottleneck * c.outDim + teacherLogits;

  // dino-system.ts: one micro-batch's gradients; with accumulation also the running sum (alive during the next
  // micro-batch's backward) and its next value (briefly beside both).
  const p1 = pc.trainable;
  const gradFloats = c.accumulate > 1 ? 3 * p1 : p1;
  const clipCopy = c.clipGrad > 0 ? pc.largest : 0; // clipped one parameter at a time
  const adamTemp = 6 * pc.largest; // m', v', sqrt, denom, update, next of the largest parameter (one tidy each)
  const duringBackward = Math.max(teacherPass, studentPeak + teacherLogits) + (c.accumulate > 1 ? p1 : 0);
  const duringUpdate = gradFloats + clipCopy + adamTemp;
  const stepPeak = Math.max(duringBackward, duringUpdate);
  const tensorsInHeap = BACKENDS[backend].memory.copiesInput;

  // The loader delivers one optimizer update's images (batch x accumulate); the trainer splits it into micro-batches.
  const microBytes = b * (2 * 3 * c.globalSize ** 2 + n * 3 * c.localSize ** 2) * FLOAT;
  const batchBytes = microBytes * c.accumulate;
  // Loader: up to `prefetch` batches built ahead + the one the trainer holds + its micro-batch copies (accumulate > 1)
  // + the micro-batch's patchify copy (a JS array; on the cpu backend the patches tensor is that array, counted with
  // the activations).
  const splitCopy = c.accumulate > 1 ? batchBytes : 0;
  const patchCopy = tensorsInHeap ? microBytes : 0;
  const loaderBytes = (c.prefetch + 1) * batchBytes + splitCopy + patchCopy;
  return {
    parameters: pc.total,
    teacher: pc.total,
    optimizer: 2 * pc.trainable,
    gradients: gradFloats,
    activations: stepPeak - gradFloats,
    loaderBytes,
    runtimeMb: RUNTIME_BASE_MB + c.workers * WORKER_THREAD_MB,
    batchBytes,
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

interface Totals {
  tensorMb: number;
  otherMb: number;
  /** Process memory: everything, or with tensors in GPU buffers (webgpu) the loader and runtime only. */
  totalMb: number;
  availableMb: number;
  /** webgpu: the largest buffer against the adapter's per-buffer limit. */
  buffer: { bytes: number; what: string; limit: number } | null;
  fits: boolean;
}

function totals(c: EstimateConfig, parts: MemoryParts, ctx: MemoryContext): Totals {
  const tensorMb = ((parts.parameters + parts.teacher + parts.optimizer + parts.gradients + parts.activations) * FLOAT) / MB;
  const otherMb = parts.loaderBytes / MB + parts.runtimeMb;
  const kind = BACKENDS[ctx.backend].memory.kind;
  const totalMb = kind === 'gpu' ? otherMb : tensorMb + otherMb;
  const availableMb = kind === 'wasm-heap' ? Math.min(ctx.systemAvailableMb, WASM_HEAP_LIMIT_MB + otherMb) : ctx.systemAvailableMb;
  let buffer: Totals['buffer'] = null;
  if (kind === 'gpu' && ctx.adapter) buffer = { ...largestBuffer(c, BACKENDS[ctx.backend].attention), limit: bufferLimitBytes(ctx.adapter) };
  return { tensorMb, otherMb, totalMb, availableMb, buffer, fits: totalMb <= availableMb && (!buffer || buffer.bytes <= buffer.limit) };
}

function fitsWith(c: EstimateConfig, ctx: MemoryContext): boolean {
  return totals(c, memoryParts(c, ctx.backend), ctx).fits;
}

/** The largest batch size (1..4096) that fits, or 0 when not even one image does. */
export function largestFittingBatch(c: EstimateConfig, ctx: MemoryContext): number {
  if (!fitsWith({ ...c, batchSize: 1 }, ctx)) return 0;
  let lo = 1;
  let hi = 4096;
  if (fitsWith({ ...c, batchSize: hi }, ctx)) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fitsWith({ ...c, batchSize: mid }, ctx)) lo = mid;
    else hi = mid;
  }
  return lo;
}

function gb(mb: number): string {
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb)} MB`;
}

/** What to change when a configuration does not fit: each option with its own estimate. */
function adviceFor(c: EstimateConfig, ctx: MemoryContext, t: Totals, largest: number): string {
  const options: string[] = [];
  const need = (cc: EstimateConfig) => {
    const tt = totals(cc, memoryParts(cc, ctx.backend), ctx);
    return tt.buffer ? `a ${gb(tt.buffer.bytes / MB)} buffer` : gb(tt.totalMb);
  };
  if (largest >= 1) {
    const effective = c.batchSize * c.accumulate;
    // Prefer an exact split of the effective batch; otherwise the nearest one above it.
    const minAcc = Math.ceil(effective / largest);
    let acc = minAcc;
    for (let a = minAcc; a <= 2 * minAcc; a++) {
      if (effective % a === 0) {
        acc = a;
        break;
      }
    }
    const bs = Math.ceil(effective / acc);
    const cc = { ...c, batchSize: bs, accumulate: acc };
    options.push(`--batch-size ${bs} --accumulate ${acc} (the same update as a batch of ${bs * acc}; needs ${need(cc)})`);
  }
  for (let k = c.localCrops - 1; k >= 0; k--) {
    const cc = { ...c, localCrops: k };
    if (fitsWith(cc, ctx)) {
      options.push(`--local-crops ${k} (fewer local views; needs ${need(cc)})`);
      break;
    }
  }
  for (let s = c.localSize - c.patchSize; c.localCrops > 0 && s >= c.patchSize; s -= c.patchSize) {
    const cc = { ...c, localSize: s };
    if (fitsWith(cc, ctx)) {
      options.push(`--local-size ${s} (smaller local crops; needs ${need(cc)})`);
      break;
    }
  }
  for (const k of [16384, 8192, 4096, 2048, 1024]) {
    if (k >= c.outDim) continue;
    const cc = { ...c, outDim: k };
    if (fitsWith(cc, ctx)) {
      options.push(`--out-dim ${k} (fewer prototypes, also better for small data; needs ${need(cc)})`);
      break;
    }
  }
  const limit = ctx.backend === 'wasm' && t.availableMb < ctx.systemAvailableMb ? ` (the wasm backend's heap is limited to 4 GB)` : '';
  const overBuffer = t.buffer && t.buffer.bytes > t.buffer.limit;
  const head =
    overBuffer && t.buffer && ctx.adapter
      ? `Batch ${c.batchSize} needs a ${gb(t.buffer.bytes / MB)} buffer (${t.buffer.what}); this GPU (${adapterLabel(ctx.adapter)}) allows ${gb(t.buffer.limit / MB)} per buffer (maxStorageBufferBindingSize ${ctx.adapter.limits.maxStorageBufferBindingSize}, maxBufferSize ${ctx.adapter.limits.maxBufferSize}): lower the batch or use accumulation.`
      : `This configuration needs about ${gb(t.totalMb)} at batch ${c.batchSize} but ${gb(t.availableMb)} is available on the ${ctx.backend} backend${limit}.`;
  if (!options.length) return `${head} Choose a smaller architecture (--arch vit_tiny), fewer blocks (--depth) or smaller crops (--global-size).`;
  return `${head} Any one of these fits: ${options.join('; ')}.`;
}

/** The full estimate for one configuration (MB figures rounded to 0.1). */
export function estimateMemory(c: EstimateConfig, ctx: MemoryContext): MemoryEstimate {
  const parts = memoryParts(c, ctx.backend);
  const t = totals(c, parts, ctx);
  const largest = largestFittingBatch(c, ctx);
  const mb = (floats: number) => round1((floats * FLOAT) / MB);
  return {
    parametersMb: mb(parts.parameters),
    optimizerMb: mb(parts.optimizer),
    teacherMb: mb(parts.teacher),
    activationsMb: mb(parts.activations),
    loaderMb: round1(parts.loaderBytes / MB),
    gradientsMb: mb(parts.gradients),
    runtimeMb: round1(parts.runtimeMb),
    backend: ctx.backend,
    totalMb: round1(t.totalMb),
    availableMb: round1(t.availableMb),
    fits: t.fits,
    largestBatch: largest,
    advice: t.fits ? null : adviceFor(c, ctx, t, largest),
    ...(BACKENDS[ctx.backend].memory.kind === 'gpu' ? { gpuMb: round1(t.tensorMb) } : {}),
    ...(t.buffer && ctx.adapter
      ? { largestBufferMb: round1(t.buffer.bytes / MB), bufferLimitMb: round1(t.buffer.limit / MB), adapter: adapterLabel(ctx.adapter) }
      : {}),
  };
}
