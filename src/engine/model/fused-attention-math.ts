// Multi-head self-attention forward and backward as plain loops over the [n*T, 3d] qkv rows: one call per layer.
/**
 * The shape of one attention call: n images of t tokens, `heads` heads of width hd; qkv rows are [q | k | v], each
 * d = heads * hd wide and head-major inside (the official DINO `qkv.reshape(B, N, 3, heads, hd)`).
 */
export interface AttentionShape {
  n: number;
  t: number;
  heads: number;
  hd: number;
}

/** Where one (image, head) pair's blocks start: its softmax in probs, its q, k and v columns in qkv, its rows of out / dy. */
interface PairOffsets {
  p0: number;
  qo: number;
  ko: number;
  vo: number;
  oo: number;
}

/** The offsets of pair j = image * heads + head (pairs are image-major; rows of qkv are 3d apart, of out and dy d). */
function pairOffsets(s: AttentionShape, j: number): PairOffsets {
  const { t, heads, hd } = s;
  const d = heads * hd;
  const i = Math.floor(j / heads);
  const h = j % heads;
  const base = i * t * 3 * d;
  return { p0: j * t * t, qo: base + h * hd, ko: base + d + h * hd, vo: base + 2 * d + h * hd, oo: i * t * d + h * hd };
}

/**
 * out [n*t, d] = softmax(q k^T / sqrt(hd)) v per (image, head), and the softmax itself into probs [n*heads, t, t]
 * (pair j = image * heads + head). The tiny per-pair products (17 tokens at 64 px) cost far less here than the
 * thousands of separate kernel calls tfjs needs for them.
 */
export function attentionForward(qkv: Float32Array, s: AttentionShape, out: Float32Array, probs: Float32Array): void {
  const { t, heads, hd } = s;
  const d = heads * hd;
  const row = 3 * d;
  const scale = 1 / Math.sqrt(hd);
  const acc = new Float64Array(hd);
  for (let j = 0; j < s.n * heads; j++) {
    const { p0, qo, ko, vo, oo } = pairOffsets(s, j);
    for (let r = 0; r < t; r++) {
      const qr = qo + r * row;
      const pr = p0 + r * t;
      let max = -Infinity;
      for (let c = 0; c < t; c++) {
        const kc = ko + c * row;
        let dot = 0;
        for (let e = 0; e < hd; e++) dot += qkv[qr + e]! * qkv[kc + e]!;
        dot *= scale;
        probs[pr + c] = dot;
        if (dot > max) max = dot;
      }
      let sum = 0;
      for (let c = 0; c < t; c++) {
        const ex = Math.exp(probs[pr + c]! - max);
        probs[pr + c] = ex;
        sum += ex;
      }
      const inv = 1 / sum;
      acc.fill(0);
      for (let c = 0; c < t; c++) {
        const p = probs[pr + c]! * inv;
        probs[pr + c] = p;
        const vc = vo + c * row;
        for (let e = 0; e < hd; e++) acc[e]! += p * qkv[vc + e]!;
      }
      const or = oo + r * d;
      for (let e = 0; e < hd; e++) out[or + e] = acc[e]!;
    }
  }
}

/**
 * The gradient of attentionForward with respect to qkv, from dy [n*t, d], the saved qkv and the saved softmax:
 * dV = P^T dO, dS = P * (dO V^T - rowsum(P * dO V^T)), dQ = dS K / sqrt(hd), dK = dS^T Q / sqrt(hd).
 * dqkv [n*t, 3d] is overwritten.
 */
export function attentionBackward(dy: Float32Array, qkv: Float32Array, probs: Float32Array, s: AttentionShape, dqkv: Float32Array): void {
  const { t, heads, hd } = s;
  const d = heads * hd;
  const row = 3 * d;
  const scale = 1 / Math.sqrt(hd);
  const dS = new Float64Array(t * t);
  dqkv.fill(0);
  for (let j = 0; j < s.n * heads; j++) {
    const { p0, qo, ko, vo, oo } = pairOffsets(s, j);
    for (let r = 0; r < t; r++) {
      const dr = oo + r * d;
      const pr = p0 + r * t;
      // dP[r, c] = dO[r] . V[c]; dV[c] += P[r, c] dO[r].
      let rowDot = 0;
      for (let c = 0; c < t; c++) {
        const vc = vo + c * row;
        const p = probs[pr + c]!;
        let dot = 0;
        for (let e = 0; e < hd; e++) {
          const g = dy[dr + e]!;
          dot += g * qkv[vc + e]!;
          dqkv[vc + e]! += p * g;
        }
        dS[r * t + c] = dot;
        rowDot += dot * p;
      }
      for (let c = 0; c < t; c++) dS[r * t + c] = probs[pr + c]! * (dS[r * t + c]! - rowDot) * scale;
    }
    // dQ[r] = sum_c dS[r, c] K[c]; dK[c] = sum_r dS[r, c] Q[r] (both already carry the 1/sqrt(hd)).
    for (let r = 0; r < t; r++) {
      const qr = qo + r * row;
      for (let c = 0; c < t; c++) {
        const g = dS[r * t + c]!;
        const kc = ko + c * row;
        for (let e = 0; e < hd; e++) {
          dqkv[qr + e]! += g * qkv[kc + e]!;
          dqkv[kc + e]! += g * qkv[qr + e]!;
        }
      }
    }
  }
}
