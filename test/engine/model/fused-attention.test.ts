// The fused attention kernels (one call per layer) against tfjs's own autodiff of softmax(q k^T / sqrt(hd)) v, on wasm and cpu.
import * as tf from '../../../src/engine/tf/tfjs';
import { describe, expect, it } from 'vitest';
import { startBackend } from '../../../src/engine/backends/select-backend';
import { attention } from '../../../src/engine/model/attention';
import { SeededRng } from '../../../src/engine/util/seeded-rng';

/** Multi-head attention written with stock tfjs ops only (no custom gradient), [n*t, 3d] -> [n*t, d]. */
function reference(qkv: tf.Tensor2D, n: number, t: number, heads: number, hd: number): tf.Tensor2D {
  const parts = tf.transpose(tf.reshape(qkv, [n, t, 3, heads, hd]), [2, 0, 3, 1, 4]);
  const [q, k, v] = tf.unstack(parts, 0) as tf.Tensor4D[];
  const scores = tf.mul(tf.matMul(q!, k!, false, true), 1 / Math.sqrt(hd));
  const o = tf.matMul(tf.softmax(scores, -1), v!);
  return tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [n * t, heads * hd]) as tf.Tensor2D;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const SHAPES: [number, number, number, number][] = [
  [3, 17, 3, 64], // a 64 px global view of ViT-Tiny/16
  [2, 5, 3, 64], // a 32 px local view
  [1, 7, 2, 4], // an odd, tiny case
];

describe('fused attention kernels', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const [n, t, heads, hd] of SHAPES) {
      it(`forward, CLS attention and gradient match stock tfjs (${backend}, n ${n}, t ${t}, ${heads} heads of ${hd})`, async () => {
        await startBackend(backend);
        const rng = new SeededRng(n * 100 + t);
        const d = heads * hd;
        const qkv = tf.tensor2d(Float32Array.from({ length: n * t * 3 * d }, () => 2 * rng.normal()), [n * t, 3 * d]);
        const w = tf.tensor2d(Float32Array.from({ length: n * t * d }, () => rng.normal()), [n * t, d]);
        const before = tf.memory().numTensors;
        const lossOf = (f: (x: tf.Tensor2D) => tf.Tensor2D) => (x: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor2D), w));
        const [refOut, refGrad] = tf.tidy(() => [reference(qkv, n, t, heads, hd).dataSync(), tf.grad(lossOf((x) => reference(x, n, t, heads, hd)))(qkv).dataSync()]);
        const fused = (x: tf.Tensor2D) => attention(x, n, t, heads, hd, false, 'fused').out;
        const [out, grad] = tf.tidy(() => [fused(qkv).dataSync(), tf.grad(lossOf(fused))(qkv).dataSync()]);
        const cls = tf.tidy(() => {
          const a = attention(qkv, n, t, heads, hd, true, 'fused');
          return [a.out.dataSync(), a.clsAttention!.dataSync()];
        });
        const refCls = tf.tidy(() => {
          const a = attention(qkv, n, t, heads, hd, true, 'batched');
          return a.clsAttention!.dataSync();
        });
        expect(tf.memory().numTensors).toBe(before);
        expect(maxAbsDiff(out, refOut)).toBeLessThan(1e-5);
        expect(maxAbsDiff(cls[0]!, refOut)).toBeLessThan(1e-5);
        expect(maxAbsDiff(cls[1]!, refCls)).toBeLessThan(1e-6);
        // The q, k and v blocks of the gradient each on their own scale, so that a small block (dQ, dK) is checked too.
        for (const [b, name] of ['dQ', 'dK', 'dV'].entries()) {
          const pick = (g: ArrayLike<number>) => Array.from({ length: n * t * d }, (_, j) => g[Math.floor(j / d) * 3 * d + b * d + (j % d)]!);
          const ref = pick(refGrad);
          const scale = Math.max(...ref.map(Math.abs));
          expect(scale, `${name} is not vanishing`).toBeGreaterThan(1e-3);
          expect(maxAbsDiff(pick(grad), ref) / scale, name).toBeLessThan(1e-4);
        }
        tf.dispose([qkv, w]);
      });
    }
  }

  it('refuses a qkv whose shape is not the one its attributes describe, naming both', async () => {
    await startBackend('wasm');
    const qkv = tf.zeros([17, 576]) as tf.Tensor2D;
    expect(() => attention(qkv, 2, 17, 3, 64, false, 'fused')).toThrow(/qkv has shape \[17, 576\], expected \[34, 576\]/);
    qkv.dispose();
  });
});
