// DINO loss (main_dino.py DINOLoss): cross-entropy of centred, sharpened teacher vs student over all view pairs, and the center update.
import * as tf from '../tf/tfjs';

export interface DinoLossParts {
  /** Scalar mean loss over the 2*(V)-2 (teacher view, other student view) pairs, each a batch mean. */
  loss: tf.Scalar;
  /** Mean per-sample teacher entropy (nats), scalar. */
  teacherEntropy: tf.Scalar;
  /** Sum over the batch rows of the teacher probabilities [K] (for the batch-mean distribution). */
  teacherProbSum: tf.Tensor1D;
}

/**
 * student [V*B, K] and teacher [2*B, K] logits, view-major (rows v*B..(v+1)*B are view v, views 0 and 1 the globals).
 * Equivalent to summing -q_i . log_softmax(s_v / tau_s) over i in {0,1}, v != i: with L = sum_v logp_v,
 * term_i = -sum(q_i * (L - logp_i)) / B.
 */
export function dinoLoss(
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  center: tf.Tensor,
  views: number,
  studentTemp: number,
  teacherTemp: number,
): DinoLossParts {
  return tf.tidy(() => {
    const k = student.shape[1];
    const b = student.shape[0] / views;
    const logp = tf.reshape(tf.logSoftmax(tf.div(student, studentTemp), -1), [views, b, k]);
    const tl = tf.div(tf.sub(teacher, center), teacherTemp);
    const logq = tf.logSoftmax(tl, -1);
    const q = tf.exp(logq); // the teacher is a constant here: its logits come from outside the gradient tape
    const q3 = tf.reshape(q, [2, b, k]);
    const sumAll = tf.sum(logp, 0); // [B, K]
    const pairs = 2 * views - 2;
    const own = tf.slice(logp, [0, 0, 0], [2, b, k]); // logp of views 0 and 1
    const others = tf.sub(sumAll, own); // broadcast [2, B, K]
    const loss = tf.div(tf.neg(tf.sum(tf.mul(q3, others))), b * pairs) as tf.Scalar;
    const teacherEntropy = tf.div(tf.neg(tf.sum(tf.mul(q, logq))), 2 * b) as tf.Scalar;
    const teacherProbSum = tf.sum(q, 0) as tf.Tensor1D;
    return { loss, teacherEntropy, teacherProbSum };
  });
}

/** center <- m * center + (1 - m) * mean over rows of teacher logits (computed after the loss). */
export function updatedCenter(center: tf.Tensor, teacherRowSum: tf.Tensor, rows: number, momentum: number): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(center, momentum), tf.mul(tf.div(tf.reshape(teacherRowSum, center.shape), rows), 1 - momentum)));
}
