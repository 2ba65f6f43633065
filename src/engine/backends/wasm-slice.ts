// A copy-free Slice kernel for the tfjs wasm backend: the stock one copies the whole input (readSync) on every call.
import * as tf from '../tf/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm this kernel uses (typedArrayFromHeap is a view, not a copy). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray;
}

/**
 * Slicing a block out of a large tensor (e.g. one head's columns of one image's rows of qkv) otherwise costs a
 * copy of the whole tensor per slice, which made the attention's data movement dominate a training step.
 */
function sliceWasm(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const backend = args.backend as WasmBackendLike;
  const attrs = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
  if (x.dtype === 'string') throw new Error('the copy-free wasm Slice kernel handles numeric tensors only');
  // Allocate first: makeOutput may grow the wasm heap, which detaches earlier views of it.
  const out = backend.makeOutput(size, x.dtype);
  const total = size.reduce((a, b) => a * b, 1);
  if (total === 0) return out;
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const strides = tf.util.computeStrides(x.shape);
  const rank = x.shape.length;
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const off = tf.slice_util.computeFlatOffset(begin, strides);
    dst.set(src.subarray(off, off + total));
    return out;
  }
  // Copy runs of the last axis; an odometer walks the leading axes.
  const run = size[rank - 1]!;
  const idx = new Array<number>(Math.max(0, rank - 1)).fill(0);
  for (let o = 0; o < total; o += run) {
    let off = begin[rank - 1]!;
    for (let a = 0; a < rank - 1; a++) off += (begin[a]! + idx[a]!) * strides[a]!;
    dst.set(src.subarray(off, off + run), o);
    for (let a = rank - 2; a >= 0; a--) {
      if (++idx[a]! < size[a]!) break;
      idx[a] = 0;
    }
  }
  return out;
}

let installed = false;

/** Replace the wasm backend's Slice kernel with sliceWasm (idempotent; other backends are untouched); the wasm descriptor calls it when it starts. */
export function installWasmSlice(): void {
  if (installed) return;
  installed = true;
  if (tf.getKernel('Slice', 'wasm')) tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({ kernelName: 'Slice', backendName: 'wasm', kernelFunc: sliceWasm as unknown as tf.KernelFunc });
}

