// The fused attention kernels (MulticropAttention, MulticropAttentionGrad) for the wasm and cpu backends: fused-attention-math.ts on their memory.
import * as tf from '../tf/tfjs';
import { attentionBackward, attentionForward, type AttentionShape } from '../model/fused-attention-math';

export const ATTENTION_KERNEL = 'MulticropAttention';
export const ATTENTION_GRAD_KERNEL = 'MulticropAttentionGrad';

/** Reading inputs and making float32 outputs on one backend, without copying where the backend allows. */
interface Memory {
  /** Bring every input into this backend before any output is allocated (a move allocates, see wasmMemory). */
  prepare(inputs: tf.TensorInfo[]): void;
  read(t: tf.TensorInfo): Float32Array;
  /** Allocates every output before any is viewed (a wasm heap that grows detaches earlier views). */
  outputs(shapes: number[][]): { infos: tf.TensorInfo[]; views: () => Float32Array[] };
}

interface WasmBackendLike {
  /** Looking an id up moves a tensor that another backend holds into the heap (DataStorage.get -> moveData). */
  dataIdMap: { get(id: tf.DataId): unknown };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray;
}

interface CpuBackendLike {
  data: { get(id: tf.DataId): { values: tf.TypedArray } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.TypedArray): tf.TensorInfo;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function wasmMemory(b: WasmBackendLike): Memory {
  return {
    prepare: (inputs) => inputs.forEach((t) => b.dataIdMap.get(t.dataId)),
    read: (t) => b.typedArrayFromHeap(t) as Float32Array,
    outputs(shapes) {
      const infos = shapes.map((s) => b.makeOutput(s, 'float32'));
      return { infos, views: () => infos.map((i) => b.typedArrayFromHeap(i) as Float32Array) };
    },
  };
}

function cpuMemory(b: CpuBackendLike): Memory {
  return {
    prepare: (inputs) => inputs.forEach((t) => b.data.get(t.dataId)),
    read: (t) => b.data.get(t.dataId).values as Float32Array,
    outputs(shapes) {
      const arrays = shapes.map((s) => new Float32Array(size(s)));
      return { infos: shapes.map((s, i) => b.makeTensorInfo(s, 'float32', arrays[i])), views: () => arrays };
    },
  };
}

function shapeOf(attrs: tf.NamedAttrMap | undefined): AttentionShape {
  const a = attrs as unknown as AttentionShape;
  return { n: a.n, t: a.t, heads: a.heads, hd: a.hd };
}

/** Each input float32 and of the shape the attrs imply (the loops index by the attrs, not by the tensors). */
function check(name: string, inputs: [string, tf.TensorInfo, number[]][]): void {
  for (const [what, t, shape] of inputs) {
    if (t.dtype !== 'float32') throw new Error(`${name}: ${what} must be float32, got ${t.dtype}`);
    if (t.shape.length !== shape.length || t.shape.some((v, i) => v !== shape[i])) {
      throw new Error(`${name}: ${what} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
  }
}

function kernels(memoryOf: (backend: unknown) => Memory): { forward: tf.KernelFunc; backward: tf.KernelFunc } {
  const forward = (args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }) => {
    const qkv = args.inputs.qkv as tf.TensorInfo;
    const s = shapeOf(args.attrs);
    check(ATTENTION_KERNEL, [['qkv', qkv, [s.n * s.t, 3 * s.heads * s.hd]]]);
    const mem = memoryOf(args.backend);
    mem.prepare([qkv]);
    const o = mem.outputs([
      [s.n * s.t, s.heads * s.hd],
      [s.n * s.heads, s.t, s.t],
    ]);
    const [out, probs] = o.views();
    attentionForward(mem.read(qkv), s, out!, probs!);
    return o.infos;
  };
  const backward = (args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }) => {
    const { dy, qkv, probs } = args.inputs as Record<'dy' | 'qkv' | 'probs', tf.TensorInfo>;
    const s = shapeOf(args.attrs);
    check(ATTENTION_GRAD_KERNEL, [
      ['dy', dy, [s.n * s.t, s.heads * s.hd]],
      ['qkv', qkv, [s.n * s.t, 3 * s.heads * s.hd]],
      ['probs', probs, [s.n * s.heads, s.t, s.t]],
    ]);
    const mem = memoryOf(args.backend);
    mem.prepare([dy, qkv, probs]);
    const o = mem.outputs([[s.n * s.t, 3 * s.heads * s.hd]]);
    const [dqkv] = o.views();
    attentionBackward(mem.read(dy), mem.read(qkv), mem.read(probs), s, dqkv!);
    return o.infos[0]!;
  };
  return { forward: forward as unknown as tf.KernelFunc, backward: backward as unknown as tf.KernelFunc };
}

const MEMORY: Record<string, (backend: unknown) => Memory> = {
  wasm: (b) => wasmMemory(b as WasmBackendLike),
  cpu: (b) => cpuMemory(b as CpuBackendLike),
};

/** Backends that have the fused attention kernels. */
export const FUSED_ATTENTION_BACKENDS = Object.keys(MEMORY);

/** Register both kernels for `backend` (idempotent; only 'wasm' and 'cpu' have them). */
export function installFusedAttention(backend: 'wasm' | 'cpu'): void {
  if (tf.getKernel(ATTENTION_KERNEL, backend)) return;
  const k = kernels(MEMORY[backend]!);
  tf.registerKernel({ kernelName: ATTENTION_KERNEL, backendName: backend, kernelFunc: k.forward });
  tf.registerKernel({ kernelName: ATTENTION_GRAD_KERNEL, backendName: backend, kernelFunc: k.backward });
}
