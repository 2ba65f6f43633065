// Multi-head self-attention over [n*T, 3d] qkv rows, laid out as per-(image, head) 2-D matMuls (fast on wasm).
import * as tf from '../tf/tfjs';
import { mm } from './ops';

/**
 * 'pairs': one 2-D matMul per (image, head) for scores and for the weighted sum (the wasm backend runs 2-D
 * matMuls ~10x faster than batched ones). 'batched': tf.matMul on [n*heads, T, hd] (best on cpu / native).
 */
export type AttentionMode = 'pairs' | 'batched';
let mode: AttentionMode = 'pairs';
export function setAttentionMode(m: AttentionMode): void {
  mode = m;
}
export function getAttentionMode(): AttentionMode {
  return mode;
}

export interface AttentionOutput {
  out: tf.Tensor2D; // [n*T, d]
  clsAttention?: tf.Tensor3D; // [n, heads, T-1]
}

export function attention(qkv: tf.Tensor2D, n: number, t: number, heads: number, hd: number, wantCls: boolean): AttentionOutput {
  const d = heads * hd;
  const scale = hd ** -0.5;
  // [n, T, 3, H, hd] -> [3, n, H, T, hd]
  const parts = tf.transpose(tf.reshape(qkv, [n, t, 3, heads, hd]), [2, 0, 3, 1, 4]);
  const [q5, k5, v5] = tf.unstack(parts, 0) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  const q = tf.reshape(tf.mul(q5, scale), [n * heads, t, hd]) as tf.Tensor3D;
  const kT = tf.reshape(tf.transpose(k5, [0, 1, 3, 2]), [n * heads, hd, t]) as tf.Tensor3D;
  const v = tf.reshape(v5, [n * heads, t, hd]) as tf.Tensor3D;
  let probs: tf.Tensor3D;
  let o: tf.Tensor3D;
  if (mode === 'batched') {
    probs = tf.softmax(tf.matMul(q, kT), -1);
    o = tf.matMul(probs, v);
  } else {
    const qs = tf.unstack(q, 0) as tf.Tensor2D[];
    const ks = tf.unstack(kT, 0) as tf.Tensor2D[];
    const vs = tf.unstack(v, 0) as tf.Tensor2D[];
    const scores = tf.stack(qs.map((qi, i) => mm(qi, ks[i]!))) as tf.Tensor3D;
    probs = tf.softmax(scores, -1);
    const ps = tf.unstack(probs, 0) as tf.Tensor2D[];
    o = tf.stack(ps.map((pi, i) => mm(pi, vs[i]!))) as tf.Tensor3D;
  }
  const out = tf.reshape(tf.transpose(tf.reshape(o, [n, heads, t, hd]), [0, 2, 1, 3]), [n * t, d]) as tf.Tensor2D;
  if (!wantCls) return { out };
  const clsAttention = tf.reshape(tf.slice(probs, [0, 0, 1], [n * heads, 1, t - 1]), [n, heads, t - 1]) as tf.Tensor3D;
  return { out, clsAttention };
}
