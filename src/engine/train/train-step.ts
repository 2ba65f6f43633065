// One DINO training step in the order of the official train_one_epoch (main_dino.py): views, teacher and student forward, loss, backward, clip, freeze last layer, AdamW, EMA, center.
import * as tf from '../tf/tfjs';
import { StudioFailure } from '../studio-failure';
import type { Batch } from '../loader/batch-types';
import { headForward } from '../model/dino-head';
import { vitForward, type Params } from '../model/vit';
import { adamwUpdate } from './adamw';
import { clipGradient } from './clip-gradients';
import { dinoLoss, updatedCenter } from './dino-loss';
import type { DinoSystem } from './dino-system';
import type { Partials } from './gradient-accumulator';
import type { StepSchedule, StepStats } from './step-types';

/**
 * Where a step's gradients come from: forwardBackward over the step's chunks, weighted and summed, on this thread
 * (gradient-accumulator.ts) or shared among replica threads (parallel-dino-system.ts).
 */
export type GradientSource = (batches: Batch[], sched: StepSchedule, totalImages: number) => Promise<Partials>;

/** The head's weight-normalised last layer (DINO's cancel_gradients_last_layer matches 'last_layer'). */
const isLastLayer = (name: string) => name.includes('last_layer');

/** Multi-crop forward: one backbone pass per resolution group (view-major), one head pass over all views. */
function multiCrop(sys: DinoSystem, p: Params, batch: Batch, groups: number): tf.Tensor2D {
  const feats = batch.groups.slice(0, groups).map((g) => vitForward(p, sys.vit, { data: g.data, n: g.views * batch.batchSize, h: g.size, w: g.size }).cls);
  return headForward(p, feats.length === 1 ? feats[0]! : (tf.concat(feats, 0) as tf.Tensor2D), 'head.');
}

/**
 * Teacher forward on the 2 global views, student forward on all views, DINO loss, backward: the gradients of one
 * chunk of a step and its statistics, scaled by `weight` (the chunk's share of the step's images).
 */
export function forwardBackward(sys: DinoSystem, chunk: Batch, sched: StepSchedule, weight: number): Partials {
  const views = chunk.groups.reduce((a, g) => a + g.views, 0);
  const teacherOut = tf.tidy(() => multiCrop(sys, sys.teacher, chunk, 1));
  let kept: { entropy: tf.Scalar; probSum: tf.Tensor1D } | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const studentOut = multiCrop(sys, sys.student, chunk, chunk.groups.length);
    const parts = dinoLoss(studentOut, teacherOut, sys.center, views, sys.config.studentTemp, sched.teacherTemp);
    kept = { entropy: tf.keep(parts.teacherEntropy), probSum: tf.keep(parts.teacherProbSum) };
    return parts.loss;
  }, sys.trainable);
  const { entropy, probSum } = kept as unknown as { entropy: tf.Scalar; probSum: tf.Tensor1D };
  const named: Record<string, tf.Tensor> = {};
  for (const [variable, g] of Object.entries(grads)) named[sys.nameOf(variable)] = weight === 1 ? g : tf.mul(g, weight);
  const sums = tf.tidy(() => ({ loss: tf.mul(value, weight), entropy: tf.mul(entropy, weight), teacherSum: tf.sum(teacherOut, 0) }));
  tf.dispose([value, entropy, teacherOut, ...(weight === 1 ? [] : Object.values(grads))]);
  return { grads: named, probSum, ...sums };
}

function entropyOf(p: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(p, tf.log(tf.maximum(p, 1e-30))))) as tf.Scalar);
}

/** The step's statistics, read back from the backend once (disposes the partials' loss, entropy and probability sum). */
async function readStats(p: Partials, nextCenter: tf.Tensor, totalImages: number): Promise<StepStats> {
  const readings = tf.tidy(() =>
    tf.stack([
      tf.reshape(p.loss, []),
      tf.reshape(p.entropy, []),
      entropyOf(tf.div(p.probSum, 2 * totalImages) as tf.Tensor1D),
      tf.sqrt(tf.sum(tf.square(nextCenter))),
    ]),
  );
  const [loss, teacherEntropy, batchMeanEntropy, centerNorm] = Array.from(await readings.data()) as [number, number, number, number];
  tf.dispose([readings, p.loss, p.entropy, p.probSum]);
  return { loss, teacherEntropy, klTeacherStudent: loss - teacherEntropy, centerNorm, batchMeanEntropy };
}

/** Images in the step, after checking that every batch starts with its 2 global views. */
function checkViews(batches: Batch[]): number {
  if (batches.length === 0) throw new StudioFailure('invalid_request', 'DINO step called without any batch');
  for (const b of batches) {
    if (b.groups[0]?.views !== 2) {
      throw new StudioFailure('bad_input', `the first resolution group must hold the 2 global views, got ${b.groups[0]?.views ?? 'none'}`);
    }
  }
  return batches.reduce((a, b) => a + b.batchSize, 0);
}

/**
 * One optimizer update of `sys` from a batch or the micro-batches of one accumulated update (the same update as one
 * batch holding all their images). A non-finite loss throws before anything is applied.
 */
export async function trainStep(sys: DinoSystem, micro: Batch | Batch[], sched: StepSchedule, gradients: GradientSource): Promise<StepStats> {
  // Views: each batch holds, view-major, the 2 global crops of its images and then their local crops.
  const batches = Array.isArray(micro) ? micro : [micro];
  const totalImages = checkViews(batches);

  // Teacher forward (global views), student forward (all views), DINO loss, backward: forwardBackward on every chunk, summed.
  const p = await gradients(batches, sched, totalImages);
  const grads = p.grads;
  // The next center, from the teacher's outputs on the 2 global views of every image (DINOLoss.update_center, computed
  // with the loss as there; set last, below).
  const nextCenter = updatedCenter(sys.center, p.teacherSum, 2 * totalImages, sys.config.centerMomentum);
  p.teacherSum.dispose();

  // A non-finite loss stops training before the update (main_dino.py: `if not math.isfinite(loss.item())`).
  const stats = await readStats(p, nextCenter, totalImages);
  if (!Number.isFinite(stats.loss)) {
    tf.dispose([nextCenter, ...Object.values(grads)]);
    throw new StudioFailure(
      'internal',
      `the DINO loss is ${stats.loss} at optimizer step ${sys.optimizerStep} (lr ${sched.lr.toExponential(3)}); training stopped ` +
        'before applying this update, so the last good checkpoint is intact. Lower the learning rate (--lr), ' +
        'raise the teacher temperature or keep gradient clipping on (--clip-grad), then resume.',
    );
  }

  // Clip each parameter's gradient on its own norm (utils.clip_gradients).
  if (sys.config.clipGrad > 0) {
    for (const [name, g] of Object.entries(grads)) {
      grads[name] = clipGradient(g, sys.config.clipGrad);
      g.dispose();
    }
  }

  // Freeze the last layer during the first freezeLastLayer epochs: its gradient is cancelled (utils.cancel_gradients_last_layer).
  if (sched.freezeLastLayer) {
    for (const name of Object.keys(grads).filter(isLastLayer)) {
      grads[name]!.dispose();
      delete grads[name];
    }
  }

  // AdamW on every parameter that has a gradient (decoupled weight decay where the parameter decays).
  for (const s of sys.specs) {
    const g = grads[s.name];
    if (!g) continue;
    adamwUpdate(sys.student.get(s.name) as tf.Variable, g, sys.slots.get(s.name)!, sched.lr, s.decay ? sched.wd : 0);
    g.dispose();
  }

  // EMA update of the teacher from the updated student.
  const m = sched.momentum;
  tf.tidy(() => {
    for (const s of sys.specs) {
      const t = sys.teacher.get(s.name) as tf.Variable;
      t.assign(tf.add(tf.mul(t, m), tf.mul(sys.student.get(s.name)!, 1 - m)));
    }
  });

  // Center update.
  sys.center.assign(nextCenter);
  nextCenter.dispose();

  sys.optimizerStep += 1;
  return stats;
}
