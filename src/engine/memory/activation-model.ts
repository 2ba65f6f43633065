// Floats a training step holds at its peak, per component, with coefficients measured by profiling the model code (see test/engine/memory/activation-coefficients.test.ts).
//
// How tfjs holds memory during `variableGrads(f)`: tensors a kernel saves for its gradient stay until the backward
// ends (custom gradients save clones of what they keep, weights included), and the backward adds gradients. The
// teacher's forward runs one tidy per block, so its peak is one block's intermediates whatever the depth. The
// coefficients below are tfjs's own byte accounting (tf.profile peakBytes) of the current model code, per unit of
// each shape term, measured on the cpu backend in the 'batched' attention layout of the GPU backends (the 'fused'
// layout of wasm and cpu holds less: 87 x nTD and 1 x nHT^2 per block); activation-coefficients.test.ts re-measures
// them and fails when a change to the model code moves them.

/** Per transformer block, differentiated (student): peak floats = P_BLOCK x block params + TOK x n*T*D + ATT x n*H*T^2. */
export const STUDENT_BLOCK = { params: 3, tok: 107, att: 7 } as const;
/** The teacher's forward (no tape, one tidy per block): one block's intermediates, independent of depth. */
export const TEACHER_PASS = { tok: 25.4, att: 17.8 } as const;
/** Patch embedding, position embedding and final norm, differentiated: params x 3 + per patch token (4 x 3p^2 + 9.3 x D). */
export const STUDENT_EMBED = { params: 3, patchInput: 4, tokD: 9.3 } as const;
/**
 * DINO head + loss, differentiated: per student logit row x K, per teacher logit row x K (2B rows: centring,
 * sharpening, log-softmax, the pair products), per bottleneck x K (weight-normalised last layer: v, its norm,
 * clones and gradient), per student row x hidden width, and 3 x the MLP's params.
 */
export const STUDENT_HEAD_LOSS = { rowK: 12.3, teacherRowK: 17, bottleneckK: 11.4, rowHidden: 28, mlpParams: 3 } as const;

export interface BackboneShape {
  embedDim: number;
  heads: number;
  depth: number;
  patchSize: number;
  /** Parameters of one block: 12 D^2 + 13 D. */
  blockParams: number;
  /** Patch embedding + CLS + position embedding + final norm parameters. */
  embedParams: number;
}

export interface GroupShape {
  /** Images through the backbone in this pass: views * batch. */
  n: number;
  /** Tokens per image: patches + CLS. */
  tokens: number;
}

/** Peak floats of one resolution group through the student backbone (forward + backward). */
export function studentBackboneFloats(g: GroupShape, m: BackboneShape): number {
  const { n, tokens: t } = g;
  const d = m.embedDim;
  const block = STUDENT_BLOCK.params * m.blockParams + STUDENT_BLOCK.tok * n * t * d + STUDENT_BLOCK.att * n * m.heads * t * t;
  const embed = STUDENT_EMBED.params * m.embedParams + n * (t - 1) * (STUDENT_EMBED.patchInput * 3 * m.patchSize ** 2 + STUDENT_EMBED.tokD * d);
  return m.depth * block + embed;
}

/** Peak floats of the teacher's forward over the 2B global views (no tape; one block's intermediates at a time). */
export function teacherBackboneFloats(g: GroupShape, m: BackboneShape): number {
  const { n, tokens: t } = g;
  const d = m.embedDim;
  return m.embedParams + n * (t - 1) * 2 * 3 * m.patchSize ** 2 + TEACHER_PASS.tok * n * t * d + TEACHER_PASS.att * n * m.heads * t * t;
}

export interface HeadShape {
  hidden: number;
  bottleneck: number;
  outDim: number;
  mlpParams: number;
}

/** Peak floats of the student's head and the DINO loss over `views` views of batch `batch` (forward + backward). */
export function studentHeadLossFloats(views: number, batch: number, h: HeadShape): number {
  const c = STUDENT_HEAD_LOSS;
  const rows = views * batch;
  return (
    c.rowK * rows * h.outDim +
    c.teacherRowK * 2 * batch * h.outDim +
    c.bottleneckK * h.bottleneck * h.outDim +
    c.rowHidden * rows * h.hidden +
    c.mlpParams * h.mlpParams
  );
}
