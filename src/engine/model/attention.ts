// Multi-head self-attention over [n*T, 3d] qkv rows with a hand-written backward that keeps only qkv and the softmax.
import * as tf from '../tf/tfjs';

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

/** a [B, m, k] x b [B, k, p] -> [B, m, p] without transpose flags, per the attention mode. */
function bmm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (mode === 'batched') return tf.matMul(a, b);
  const as = tf.unstack(a, 0) as tf.Tensor2D[];
  const bs = tf.unstack(b, 0) as tf.Tensor2D[];
  const out = tf.stack(as.map((ai, i) => tf.matMul(ai, bs[i]!))) as tf.Tensor3D;
  tf.dispose([...as, ...bs]);
  return out;
}

const t3 = (x: tf.Tensor) => tf.transpose(x, [0, 2, 1]) as tf.Tensor3D;

interface Split {
  q: tf.Tensor3D; // scaled by hd^-0.5, [nH, T, hd]
  k: tf.Tensor3D;
  v: tf.Tensor3D;
}

function split(qkv: tf.Tensor, n: number, t: number, heads: number, hd: number): Split {
  const parts = tf.transpose(tf.reshape(qkv, [n, t, 3, heads, hd]), [2, 0, 3, 1, 4]);
  const [q5, k5, v5] = tf.unstack(parts, 0);
  return {
    q: tf.reshape(tf.mul(q5!, hd ** -0.5), [n * heads, t, hd]) as tf.Tensor3D,
    k: tf.reshape(k5!, [n * heads, t, hd]) as tf.Tensor3D,
    v: tf.reshape(v5!, [n * heads, t, hd]) as tf.Tensor3D,
  };
}

function merge(o: tf.Tensor, n: number, t: number, heads: number, hd: number): tf.Tensor2D {
  return tf.reshape(tf.transpose(tf.reshape(o, [n, heads, t, hd]), [0, 2, 1, 3]), [n * t, heads * hd]) as tf.Tensor2D;
}

/** softmax(q k^T * scale) per (image, head), [nH, T, T], and the attended values merged back to [n*T, d]. */
function forward(qkv: tf.Tensor, n: number, t: number, heads: number, hd: number): { out: tf.Tensor2D; probs: tf.Tensor3D } {
  return tf.tidy(() => {
    const s = split(qkv, n, t, heads, hd);
    const probs = tf.softmax(bmm(s.q, t3(s.k)), -1) as tf.Tensor3D;
    return { out: merge(bmm(probs, s.v), n, t, heads, hd), probs };
  });
}

const customs = new Map<string, (qkv: tf.Tensor2D) => tf.Tensor2D>();

function custom(n: number, t: number, heads: number, hd: number): (qkv: tf.Tensor2D) => tf.Tensor2D {
  const key = `${n},${t},${heads},${hd}`;
  let f = customs.get(key);
  if (f) return f;
  f = tf.customGrad(((qkv: tf.Tensor, save: tf.GradSaveFunc) => {
    const { out, probs } = forward(qkv, n, t, heads, hd);
    save([qkv, probs]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sqkv, p] = saved as [tf.Tensor2D, tf.Tensor3D];
        const s = split(sqkv, n, t, heads, hd);
        const dO = tf.reshape(tf.transpose(tf.reshape(dy, [n, t, heads, hd]), [0, 2, 1, 3]), [n * heads, t, hd]) as tf.Tensor3D;
        const dV = bmm(t3(p), dO);
        const dP = bmm(dO, t3(s.v));
        const dS = tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dP, p), -1, true))) as tf.Tensor3D;
        const dQ = tf.mul(bmm(dS, s.k), hd ** -0.5);
        const dK = bmm(t3(dS), s.q);
        const stacked = tf.reshape(tf.stack([dQ, dK, dV]), [3, n, heads, t, hd]);
        return [tf.reshape(tf.transpose(stacked, [1, 3, 0, 2, 4]), [n * t, 3 * heads * hd])];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (qkv: tf.Tensor2D) => tf.Tensor2D;
  customs.set(key, f);
  return f;
}

export interface AttentionOutput {
  out: tf.Tensor2D; // [n*T, d]
  clsAttention?: tf.Tensor3D; // [n, heads, T-1]
}

export function attention(qkv: tf.Tensor2D, n: number, t: number, heads: number, hd: number, wantCls: boolean): AttentionOutput {
  if (!wantCls) return { out: custom(n, t, heads, hd)(qkv) };
  const { out, probs } = forward(qkv, n, t, heads, hd);
  const clsAttention = tf.reshape(tf.slice(probs, [0, 0, 1], [n * heads, 1, t - 1]), [n, heads, t - 1]) as tf.Tensor3D;
  probs.dispose();
  return { out, clsAttention };
}
