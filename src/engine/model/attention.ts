// Multi-head self-attention over [n*T, 3d] qkv rows with a hand-written backward that keeps only qkv and the softmax.
import * as tf from '../tf/tfjs';
import type { AttentionLayout } from '../backends/backend-descriptor';
import { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL, FUSED_ATTENTION_BACKENDS, installFusedAttention } from '../backends/fused-attention-kernels';

/**
 * 'pairs': one 2-D matMul per (image, head) for scores and for the weighted sum, on blocks sliced from the 2-D qkv
 * (the wasm backend runs 2-D matMuls ~10x faster than batched ones). 'batched': tf.matMul on [n*heads, T, hd]
 * after 5-D transposes (best on native and WebGPU). 'fused': one kernel per layer and direction that loops over every
 * (image, head) itself (fused-attention-math.ts; wasm and cpu only), which replaces the thousands of small kernel calls
 * of 'pairs' at the 17 tokens of a 64 px view. Each backend's descriptor names its layout.
 */
export type AttentionMode = AttentionLayout;

/** a [B, m, k] x b [B, k, p] -> [B, m, p] ('batched' layout). */
function bmm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return tf.matMul(a, b);
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

/**
 * 'pairs' layout: every (image, head) block is sliced straight from the 2-D qkv matrix (q, v as [T, hd] column
 * blocks; k^T as a [hd, T] block of one transpose of qkv), so the only data movement is those slices and one
 * concat of the outputs; scores and weighted sums are plain 2-D matMuls.
 */
interface PairBlocks {
  /** q * hd^-0.5 per pair, [T, hd]. */
  q: tf.Tensor2D[];
  /** k^T per pair, [hd, T]. */
  kT: tf.Tensor2D[];
  v: tf.Tensor2D[];
}

function pairBlocks(qkv: tf.Tensor2D, n: number, t: number, heads: number, hd: number, withQ: boolean, withK: boolean): PairBlocks & { qkvT: tf.Tensor2D } {
  const d = heads * hd;
  const qs = withQ ? (tf.mul(tf.slice(qkv, [0, 0], [n * t, d]), hd ** -0.5) as tf.Tensor2D) : null;
  const qkvT = tf.transpose(qkv);
  const out: PairBlocks = { q: [], kT: [], v: [] };
  for (let i = 0; i < n; i++) {
    for (let h = 0; h < heads; h++) {
      if (qs) out.q.push(tf.slice(qs, [i * t, h * hd], [t, hd]));
      if (withK) out.kT.push(tf.slice(qkvT, [d + h * hd, i * t], [hd, t]));
      out.v.push(tf.slice(qkv, [i * t, 2 * d + h * hd], [t, hd]));
    }
  }
  return { ...out, qkvT };
}

/** Per-pair [T, hd] blocks (image-major, head-minor) back to [n*T, heads*hd]. */
function mergePairs(blocks: tf.Tensor2D[], n: number, heads: number): tf.Tensor2D {
  const rows: tf.Tensor2D[] = [];
  for (let i = 0; i < n; i++) rows.push(heads === 1 ? blocks[i]! : tf.concat(blocks.slice(i * heads, (i + 1) * heads), 1));
  return n === 1 ? rows[0]! : tf.concat(rows, 0);
}

function forwardPairs(qkv: tf.Tensor2D, n: number, t: number, heads: number, hd: number): { out: tf.Tensor2D; probs: tf.Tensor2D[] } {
  const [out, ...probs] = tf.tidy(() => {
    const b = pairBlocks(qkv, n, t, heads, hd, true, true);
    const ps = b.q.map((q, j) => tf.softmax(tf.matMul(q, b.kT[j]!)) as tf.Tensor2D);
    return [mergePairs(ps.map((p, j) => tf.matMul(p, b.v[j]!)), n, heads), ...ps];
  });
  return { out: out as tf.Tensor2D, probs: probs as tf.Tensor2D[] };
}

/** Gradient of forwardPairs with respect to qkv, from the saved qkv and softmax outputs. */
function backwardPairs(dy: tf.Tensor2D, qkv: tf.Tensor2D, probs: tf.Tensor2D[], n: number, t: number, heads: number, hd: number): tf.Tensor2D {
  const b = pairBlocks(qkv, n, t, heads, hd, true, false);
  const dQ: tf.Tensor2D[] = [];
  const dK: tf.Tensor2D[] = [];
  const dV: tf.Tensor2D[] = [];
  for (let i = 0; i < n; i++) {
    for (let h = 0; h < heads; h++) {
      const j = i * heads + h;
      const p = probs[j]!;
      const dO = tf.slice(dy, [i * t, h * hd], [t, hd]);
      const vT = tf.slice(b.qkvT, [2 * heads * hd + h * hd, i * t], [hd, t]);
      const k = tf.slice(qkv, [i * t, heads * hd + h * hd], [t, hd]);
      dV.push(tf.matMul(tf.transpose(p), dO));
      const dP = tf.matMul(dO, vT);
      const dS = tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dP, p), -1, true))) as tf.Tensor2D;
      dQ.push(tf.matMul(dS, k));
      dK.push(tf.matMul(tf.transpose(dS), b.q[j]!));
    }
  }
  const dq = tf.mul(mergePairs(dQ, n, heads), hd ** -0.5) as tf.Tensor2D;
  return tf.concat([dq, mergePairs(dK, n, heads), mergePairs(dV, n, heads)], 1);
}

/** The fused kernels of the backend running (registered on first use), or an error naming the backends that have them. */
function fusedKernels(): void {
  const name = tf.getBackend();
  if (!FUSED_ATTENTION_BACKENDS.includes(name)) {
    throw new Error(`the 'fused' attention layout runs on the ${FUSED_ATTENTION_BACKENDS.join(' and ')} backends, not on ${name}: use 'batched'`);
  }
  installFusedAttention(name as 'wasm' | 'cpu');
}

function forwardFused(qkv: tf.Tensor2D, n: number, t: number, heads: number, hd: number): { out: tf.Tensor2D; probs: tf.Tensor3D } {
  fusedKernels();
  const attrs = { n, t, heads, hd } as unknown as tf.NamedAttrMap;
  const [out, probs] = tf.engine().runKernel(ATTENTION_KERNEL, { qkv }, attrs) as tf.Tensor[];
  return { out: out as tf.Tensor2D, probs: probs as tf.Tensor3D };
}

function backwardFused(dy: tf.Tensor2D, qkv: tf.Tensor2D, probs: tf.Tensor3D, n: number, t: number, heads: number, hd: number): tf.Tensor2D {
  fusedKernels();
  const attrs = { n, t, heads, hd } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(ATTENTION_GRAD_KERNEL, { dy, qkv, probs }, attrs) as tf.Tensor2D;
}

const customs = new Map<string, (qkv: tf.Tensor2D) => tf.Tensor2D>();

function custom(mode: AttentionMode, n: number, t: number, heads: number, hd: number): (qkv: tf.Tensor2D) => tf.Tensor2D {
  const key = `${mode},${n},${t},${heads},${hd}`;
  let f = customs.get(key);
  if (f) return f;
  const pairs = mode === 'pairs';
  f = tf.customGrad(((qkv: tf.Tensor, save: tf.GradSaveFunc) => {
    if (mode === 'fused') {
      const { out, probs } = forwardFused(qkv as tf.Tensor2D, n, t, heads, hd);
      save([qkv, probs]);
      return {
        value: out,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
          backwardFused(dy as tf.Tensor2D, saved[0] as tf.Tensor2D, saved[1] as tf.Tensor3D, n, t, heads, hd),
        ],
      };
    }
    if (pairs) {
      const { out, probs } = forwardPairs(qkv as tf.Tensor2D, n, t, heads, hd);
      save([qkv, ...probs]);
      return {
        value: out,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
          backwardPairs(dy as tf.Tensor2D, saved[0] as tf.Tensor2D, saved.slice(1) as tf.Tensor2D[], n, t, heads, hd),
        ],
      };
    }
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

export function attention(qkv: tf.Tensor2D, n: number, t: number, heads: number, hd: number, wantCls: boolean, mode: AttentionMode): AttentionOutput {
  if (!wantCls) return { out: custom(mode, n, t, heads, hd)(qkv) };
  if (mode === 'pairs') {
    const { out, probs } = forwardPairs(qkv, n, t, heads, hd);
    const clsAttention = tf.tidy(
      () => tf.reshape(tf.stack(probs.map((p) => tf.slice(p, [0, 1], [1, t - 1]))), [n, heads, t - 1]) as tf.Tensor3D,
    );
    tf.dispose(probs);
    return { out, clsAttention };
  }
  const { out, probs } = mode === 'fused' ? forwardFused(qkv, n, t, heads, hd) : forward(qkv, n, t, heads, hd);
  const clsAttention = tf.reshape(tf.slice(probs, [0, 0, 1], [n * heads, 1, t - 1]), [n, heads, t - 1]) as tf.Tensor3D;
  probs.dispose();
  return { out, clsAttention };
}
