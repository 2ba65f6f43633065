// Floats alive at the peak of one training step's forward + backward pass, counted op by op from the model code (vit.ts, attention.ts, ops.ts, dino-head.ts, dino-loss.ts).
//
// How tfjs holds memory during `variableGrads(f)`: the forward runs in one tidy scope, so every op output of the
// forward is alive until f returns; outputs that a kernel saved for its gradient stay until the backward ends; the
// backward keeps one gradient ("dy") per op output on the path to the parameters until it ends. So the peak, at
// the end of the backward, is about (forward outputs - unsaved ones) + (one dy per forward output). The counts
// below are per token and per op output of the current model code; `BACKWARD_DY` is the dy term.

/** 'pairs' = one 2-D matMul per (image, head) (the wasm backend's fast path); 'batched' = tf.matMul on [n*H, T, hd]. */
export type AttentionLayout = 'pairs' | 'batched';

/** Forward op outputs of one transformer block per token, in units of the embedding width D. */
export function blockFloatsPerTokenD(layout: AttentionLayout, slicesCopy: boolean): number {
  const layerNorm = 6; // moments: x-mean, (x-mean)^2; then x-mean, xhat, xhat*w, +b (all saved by their consumers)
  const qkv = 3 + 3; // matMul + bias
  const split = 3 /* transpose [3,n,H,T,hd] */ + (slicesCopy ? 3 : 0) /* unstack q,k,v */ + 1 /* q*scale */ + 1 /* k^T */;
  const pairs = layout === 'pairs' ? (slicesCopy ? 3 : 0) /* unstack per (image, head) */ + 2 /* per-pair out + stack */ : 1;
  const merge = 1 /* transpose back */ + 2 /* proj matMul + bias */ + 1 /* residual */;
  const mlp = 4 + 4 /* fc1 + bias */ + 4 /* GELU cdf (saved) */ + 4 /* GELU out */ + 1 + 1 /* fc2 + bias */ + 1 /* residual */;
  return 2 * layerNorm + qkv + split + pairs + merge + mlp;
}

/** Forward op outputs of one block's attention matrices per token, in units of H*T (heads x tokens). */
export function blockAttentionPerTokenHT(layout: AttentionLayout, slicesCopy: boolean): number {
  // batched: scores + softmax. pairs: per-pair scores + stacked scores + softmax + its per-pair unstack.
  return layout === 'batched' ? 2 : 3 + (slicesCopy ? 1 : 0);
}

/** Of the forward outputs above, the attention-score tensors no kernel saves (freed when the forward ends). */
function unsavedAttentionPerTokenHT(layout: AttentionLayout): number {
  return layout === 'batched' ? 1 : 2;
}

/** Gradient tensors kept per forward output during the backward (one dy per op output on the path). */
export const BACKWARD_DY = 1;

export interface GroupShape {
  /** Images through the backbone in this pass: views * batch. */
  n: number;
  /** Tokens per image: patches + CLS. */
  tokens: number;
  /** Floats per patch: 3 * p * p. */
  patchFloats: number;
}

export interface BackboneShape {
  embedDim: number;
  heads: number;
  depth: number;
}

/** Forward op outputs of the backbone for one resolution group (floats), and how many of them are not saved. */
export function backboneForwardFloats(g: GroupShape, m: BackboneShape, layout: AttentionLayout, slicesCopy: boolean): { all: number; unsaved: number } {
  const { n, tokens: t, patchFloats } = g;
  const d = m.embedDim;
  const embed = n * (t - 1) * patchFloats /* patches */ + 2 * n * (t - 1) * d /* matMul + bias */ + 2 * n * t * d /* concat CLS, + pos */;
  const perBlock = n * t * d * blockFloatsPerTokenD(layout, slicesCopy) + n * m.heads * t * t * blockAttentionPerTokenHT(layout, slicesCopy);
  const unsaved = m.depth * n * m.heads * t * t * unsavedAttentionPerTokenHT(layout);
  const finalNorm = 8 * n * d;
  return { all: embed + m.depth * perBlock + finalNorm, unsaved };
}

export interface HeadShape {
  hidden: number;
  bottleneck: number;
  outDim: number;
}

/** Forward op outputs of the DINO head for `rows` CLS vectors (floats), including the weight-normalised last layer. */
export function headForwardFloats(rows: number, h: HeadShape): number {
  const mlp = rows * (4 * h.hidden /* linear + bias, GELU cdf, GELU out */ * 2 + 2 * h.bottleneck /* linear + bias */ + 2 * h.bottleneck /* L2 normalise */);
  const weightNorm = 3 * h.bottleneck * h.outDim; // v^2, v/||v||, * g
  return mlp + weightNorm + rows * h.outDim /* logits */;
}

/** Forward op outputs of dino-loss.ts for V views of batch B over K prototypes (floats). */
export function lossForwardFloats(views: number, batch: number, outDim: number): number {
  const bk = batch * outDim;
  const student = views * bk * 4; // / tau_s, logSoftmax (max-subtract, exp, result)
  const teacher = 2 * bk * 6; // - center, / tau_t, logSoftmax (3), exp
  const pairs = bk /* sum over views */ + 2 * bk /* own views */ + 2 * bk /* others */ + 2 * bk /* q * others */ + 2 * bk /* entropy q*logq */;
  return student + teacher + pairs;
}

/** Peak floats of the student's differentiated pass: saved forward outputs + one dy per output. */
export function peakFromForward(fwd: { all: number; unsaved: number }): number {
  return fwd.all - fwd.unsaved + BACKWARD_DY * fwd.all;
}
