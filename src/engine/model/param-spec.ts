// Parameter naming and layout: official DINO / timm names and PyTorch shapes at the host boundary, matMul-friendly layouts inside.
import type { HostTensor } from '../train/step-types';

/**
 * 'same': the internal tensor holds the host data as is (only reshaped, e.g. cls_token [1,1,d] -> [1,d]).
 * 'transpose': host [out, ...in] (trailing dims flattened in row-major order) is stored as [in, out]
 * (Linear weights, the patch-embedding conv kernel [d,3,p,p] -> [3*p*p, d], weight_v [K,b] -> [b,K]).
 */
export type ParamLayout = 'same' | 'transpose';

export interface ParamSpec {
  name: string;
  hostShape: number[];
  internalShape: number[];
  layout: ParamLayout;
  /** Weight decay applies (DINO's get_params_groups: not a bias and more than one dimension). */
  decay: boolean;
  /** Receives gradients (weight_g is frozen with normLastLayer). */
  trainable: boolean;
}

export function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function spec(name: string, hostShape: number[], layout: ParamLayout, internalShape?: number[], trainable = true): ParamSpec {
  let internal = internalShape;
  if (!internal) {
    if (layout === 'transpose') internal = [size(hostShape.slice(1)), hostShape[0]!];
    else internal = hostShape.slice();
  }
  return { name, hostShape, internalShape: internal, layout, decay: !name.endsWith('.bias') && hostShape.length > 1, trainable };
}

/** Transpose a row-major [rows, cols] matrix. */
function transpose2d(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[o + c]!;
  }
  return out;
}

/** Internal data -> host (PyTorch) data. */
export function toHost(s: ParamSpec, internal: Float32Array): HostTensor {
  if (s.layout === 'same') return { shape: s.hostShape.slice(), data: internal.slice() };
  const [inDim, outDim] = s.internalShape as [number, number];
  return { shape: s.hostShape.slice(), data: transpose2d(internal, inDim, outDim) };
}

/** Host (PyTorch) data -> internal data; throws with the key name on a shape mismatch. */
export function fromHost(s: ParamSpec, host: HostTensor): Float32Array {
  if (host.shape.length !== s.hostShape.length || host.shape.some((d, i) => d !== s.hostShape[i])) {
    throw new Error(`parameter ${s.name}: expected shape [${s.hostShape.join(', ')}], got [${host.shape.join(', ')}]`);
  }
  if (s.layout === 'same') return new Float32Array(host.data);
  const [inDim, outDim] = s.internalShape as [number, number];
  return transpose2d(host.data, outDim, inDim);
}
