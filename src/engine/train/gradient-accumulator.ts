// Chunking and gradient accumulation around the step's forward/backward: the step's images in chunks that fit the activation budget, forwardBackward on each, the weighted gradients summed.
import * as tf from '../tf/tfjs';
import { StudioFailure } from '../studio-failure';
import type { Batch } from '../loader/batch-types';
import { STUDENT_BLOCK } from '../memory/activation-model';
import type { DinoSystem } from './dino-system';
import { splitBatch } from './split-batch';
import type { StepSchedule } from './step-types';
import { forwardBackward } from './train-step';

/**
 * What forwardBackward leaves for the update, summed over chunks (and replicas): each gradient and the loss and
 * entropy weighted by the chunk's share of the step's images; the teacher probabilities and logits as plain row sums.
 */
export interface Partials {
  grads: Record<string, tf.Tensor>;
  loss: tf.Tensor;
  entropy: tf.Tensor;
  probSum: tf.Tensor;
  teacherSum: tf.Tensor;
}

export function disposePartials(p: Partials): void {
  tf.dispose([...Object.values(p.grads), p.loss, p.entropy, p.probSum, p.teacherSum]);
}

/** a + b, term by term (both are disposed). */
export function addPartials(a: Partials, b: Partials): Partials {
  const sum = tf.tidy(() => {
    const grads: Record<string, tf.Tensor> = {};
    for (const [k, g] of Object.entries(a.grads)) grads[k] = tf.add(g, b.grads[k]!);
    return {
      grads,
      loss: tf.add(a.loss, b.loss),
      entropy: tf.add(a.entropy, b.entropy),
      probSum: tf.add(a.probSum, b.probSum),
      teacherSum: tf.add(a.teacherSum, b.teacherSum),
    };
  });
  disposePartials(a);
  disposePartials(b);
  return sum;
}

/**
 * `b` in equal chunks small enough that one forward + backward pass keeps its activations under the system's
 * `activationBudgetBytes` (the wasm heap is at most 4 GiB; other backends: no limit). The update is unchanged.
 */
export function memoryChunks(sys: DinoSystem, b: Batch): Batch[] {
  const vit = sys.vit;
  const perImage = b.groups.reduce((acc, g) => {
    const t = (g.size / vit.patchSize) ** 2 + 1;
    return acc + g.views * t * (STUDENT_BLOCK.tok * vit.embedDim + STUDENT_BLOCK.att * vit.heads * t) * 4 * vit.depth;
  }, 0);
  const fit = Math.max(1, Math.floor(sys.activationBudgetBytes / perImage));
  if (fit >= b.batchSize) return [b];
  let parts = Math.ceil(b.batchSize / fit);
  while (b.batchSize % parts !== 0) parts++;
  return splitBatch(b, parts);
}

/**
 * The gradients of `batches` (the micro-batches of one update, or this thread's share of it) as one pass over all
 * `totalImages` would give them: forwardBackward on each memory chunk, weighted by its share, summed. Nothing is applied.
 */
export function accumulateGradients(sys: DinoSystem, batches: Batch[], sched: StepSchedule, totalImages: number): Partials {
  let sum: Partials | null = null;
  for (const chunk of batches.flatMap((b) => memoryChunks(sys, b))) {
    const part = forwardBackward(sys, chunk, sched, chunk.batchSize / totalImages);
    sum = sum ? addPartials(sum, part) : part;
  }
  if (!sum) throw new StudioFailure('invalid_request', 'DINO step called without any batch');
  return sum;
}
