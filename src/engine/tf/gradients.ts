// Gradient functions of the ops the DINO model differentiates through, registered on the single tfjs-core instance in use.
// tfjs-core's own registrations live in ESM-only files (dist/register_all_gradients) that Node cannot load next to the
// CommonJS build the backends use; importing them creates a second, uninitialised tfjs-core. These are the same formulas.
import * as tf from '@tensorflow/tfjs-core';

type Saved = tf.Tensor[];
type Attrs = Record<string, unknown>;
type GradMap = Record<string, () => tf.Tensor>;
type GradFn = (dy: tf.Tensor | (tf.Tensor | null)[], saved: Saved, attrs: Attrs) => GradMap | (() => tf.Tensor)[];

interface Cfg {
  kernelName: string;
  inputsToSave?: string[];
  outputsToSave?: boolean[];
  saveAllInputs?: boolean;
  gradFunc: GradFn;
}

/** Sum dy over the axes along which `shape` was broadcast, then reshape to `shape`. */
function unbroadcast(dy: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, dy.shape);
  return tf.reshape(axes.length ? tf.sum(dy, axes) : dy, shape);
}

function axesOf(axis: unknown, rank: number): number[] {
  const list = axis == null ? Array.from({ length: rank }, (_, i) => i) : Array.isArray(axis) ? (axis as number[]) : [axis as number];
  return list.map((a) => (a < 0 ? a + rank : a));
}

const d = (dy: unknown) => dy as tf.Tensor;

const CONFIGS: Cfg[] = [
  { kernelName: 'Identity', gradFunc: (dy) => ({ x: () => d(dy).clone() }) },
  { kernelName: 'Cast', gradFunc: (dy) => ({ x: () => d(dy).clone() }) },
  {
    kernelName: 'Add',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({ a: () => unbroadcast(d(dy), a!.shape), b: () => unbroadcast(d(dy), b!.shape) }),
  },
  {
    kernelName: 'AddN',
    saveAllInputs: true,
    gradFunc: (dy, saved) => saved.map(() => () => d(dy).clone()),
  },
  {
    kernelName: 'Sub',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({ a: () => unbroadcast(d(dy), a!.shape), b: () => tf.neg(unbroadcast(d(dy), b!.shape)) }),
  },
  {
    kernelName: 'Multiply',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.mul(d(dy), tf.cast(b!, 'float32')), a!.shape),
      b: () => unbroadcast(tf.mul(d(dy), tf.cast(a!, 'float32')), b!.shape),
    }),
  },
  {
    kernelName: 'RealDiv',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.div(d(dy), b!), a!.shape),
      b: () => unbroadcast(tf.neg(tf.div(tf.mul(d(dy), a!), tf.square(b!))), b!.shape),
    }),
  },
  {
    kernelName: 'Maximum',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.mul(d(dy), tf.cast(tf.greaterEqual(a!, b!), 'float32')), a!.shape),
      b: () => unbroadcast(tf.mul(d(dy), tf.cast(tf.less(a!, b!), 'float32')), b!.shape),
    }),
  },
  {
    kernelName: 'Minimum',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.mul(d(dy), tf.cast(tf.lessEqual(a!, b!), 'float32')), a!.shape),
      b: () => unbroadcast(tf.mul(d(dy), tf.cast(tf.greater(a!, b!), 'float32')), b!.shape),
    }),
  },
  { kernelName: 'Neg', gradFunc: (dy) => ({ x: () => tf.neg(d(dy)) }) },
  { kernelName: 'Square', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.mul(d(dy), tf.mul(x!, 2)) }) },
  { kernelName: 'Sqrt', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.div(d(dy), tf.mul(tf.sqrt(x!), 2)) }) },
  {
    kernelName: 'Rsqrt',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(d(dy), tf.mul(tf.pow(tf.rsqrt(x!), 3), -0.5)) }),
  },
  { kernelName: 'Exp', outputsToSave: [true], gradFunc: (dy, [y]) => ({ x: () => tf.mul(d(dy), y!) }) },
  { kernelName: 'Log', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.div(d(dy), x!) }) },
  {
    kernelName: 'Erf',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(d(dy), tf.mul(tf.exp(tf.neg(tf.square(x!))), 2 / Math.sqrt(Math.PI))) }),
  },
  {
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const shape = x!.shape.slice();
      for (const a of axesOf(attrs.axis, shape.length)) shape[a] = 1;
      return { x: () => tf.mul(tf.reshape(d(dy), shape), tf.ones(x!.shape, 'float32')) };
    },
  },
  {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const shape = x!.shape.slice();
      const axes = axesOf(attrs.axis, shape.length);
      let n = 1;
      for (const a of axes) {
        n *= shape[a]!;
        shape[a] = 1;
      }
      return { x: () => tf.div(tf.mul(tf.reshape(d(dy), shape), tf.ones(x!.shape, 'float32')), n) };
    },
  },
  {
    kernelName: 'Softmax',
    outputsToSave: [true],
    gradFunc: (dy, [y], attrs) => {
      const dim = attrs.dim as number;
      return {
        logits: () => {
          const dyY = tf.mul(d(dy), y!);
          return tf.sub(dyY, tf.mul(tf.sum(dyY, [dim], true), y!));
        },
      };
    },
  },
  { kernelName: 'Reshape', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.reshape(d(dy), x!.shape) }) },
  { kernelName: 'ExpandDims', inputsToSave: ['input'], gradFunc: (dy, [x]) => ({ input: () => tf.reshape(d(dy), x!.shape) }) },
  {
    kernelName: 'Transpose',
    gradFunc: (dy, _s, attrs) => {
      const perm = attrs.perm as number[];
      const inv = new Array<number>(perm.length);
      perm.forEach((p, i) => (inv[p] = i));
      return { x: () => tf.transpose(d(dy), inv) };
    },
  },
  {
    kernelName: 'Tile',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const reps = attrs.reps as number[];
      return {
        x: () => {
          // dy[r_i * n_i + j_i] -> [r_0, n_0, r_1, n_1, ...], summed over every r axis.
          const split: number[] = [];
          x!.shape.forEach((n, i) => split.push(reps[i]!, n));
          const axes = reps.map((_, i) => 2 * i);
          return tf.reshape(tf.sum(tf.reshape(d(dy), split), axes), x!.shape);
        },
      };
    },
  },
  {
    kernelName: 'Concat',
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const rank = saved[0]!.shape.length;
      const axis = axesOf(attrs.axis, rank)[0]!;
      const parts = tf.split(d(dy), saved.map((t) => t.shape[axis]!), axis);
      return parts.map((t) => () => t);
    },
  },
  {
    kernelName: 'Slice',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const shape = x!.shape;
      const begin = (attrs.begin as number[]).slice();
      const size = (attrs.size as number[]).slice();
      const pads: [number, number][] = shape.map((n, i) => {
        const b = begin[i] ?? 0;
        const s = size[i] == null || size[i] === -1 ? n - b : size[i]!;
        return [b, n - b - s];
      });
      return { x: () => tf.pad(d(dy), pads) };
    },
  },
  {
    kernelName: 'Pack',
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => tf.unstack(d(dy), attrs.axis as number).map((t) => () => t),
  },
  {
    kernelName: 'Unpack',
    inputsToSave: ['value'],
    gradFunc: (dys, [x], attrs) => {
      const axis = attrs.axis as number;
      const parts = dys as (tf.Tensor | null)[];
      const shape = x!.shape.filter((_, i) => i !== axis);
      return { value: () => tf.stack(parts.map((p) => p ?? tf.zeros(shape)), axis) };
    },
  },
  {
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b], attrs) => {
      const tA = attrs.transposeA as boolean;
      const tB = attrs.transposeB as boolean;
      const g = d(dy) as tf.Tensor3D;
      const A = a as tf.Tensor3D;
      const B = b as tf.Tensor3D;
      if (!tA && !tB) return { a: () => tf.matMul(g, B, false, true), b: () => tf.matMul(A, g, true, false) };
      if (!tA && tB) return { a: () => tf.matMul(g, B, false, false), b: () => tf.matMul(g, A, true, false) };
      if (tA && !tB) return { a: () => tf.matMul(B, g, false, true), b: () => tf.matMul(A, g, false, false) };
      return { a: () => tf.matMul(B, g, true, true), b: () => tf.matMul(g, A, true, true) };
    },
  },
];

let registered = false;

/** Register every gradient above that the running tfjs-core does not already know (idempotent). */
export function registerGradients(): void {
  if (registered) return;
  registered = true;
  for (const c of CONFIGS) {
    if (!tf.getGradient(c.kernelName)) tf.registerGradient(c as unknown as tf.GradConfig);
  }
}

/** Kernel names covered here (for tests). */
export const GRADIENT_KERNELS = CONFIGS.map((c) => c.kernelName);
