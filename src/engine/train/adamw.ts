// AdamW with PyTorch semantics (decoupled weight decay, bias correction, eps 1e-8) and per-step lr / weight decay.
import * as tf from '../tf/tfjs';

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPS = 1e-8;

/** One parameter's optimizer slots; `step` counts the updates this parameter received (PyTorch keeps it per parameter). */
export interface AdamSlot {
  m: tf.Variable;
  v: tf.Variable;
  step: number;
}

export function createSlot(shape: number[]): AdamSlot {
  return { m: tf.variable(tf.zeros(shape), false), v: tf.variable(tf.zeros(shape), false), step: 0 };
}

/**
 * torch.optim.AdamW.step for one parameter: p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
 */
export function adamwUpdate(param: tf.Variable, grad: tf.Tensor, slot: AdamSlot, lr: number, wd: number): void {
  slot.step += 1;
  const t = slot.step;
  const bc1 = 1 - ADAM_BETA1 ** t;
  const bc2 = 1 - ADAM_BETA2 ** t;
  tf.tidy(() => {
    const m = tf.add(tf.mul(slot.m, ADAM_BETA1), tf.mul(grad, 1 - ADAM_BETA1));
    const v = tf.add(tf.mul(slot.v, ADAM_BETA2), tf.mul(tf.square(grad), 1 - ADAM_BETA2));
    const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), ADAM_EPS);
    const decayed = wd !== 0 ? tf.mul(param, 1 - lr * wd) : param;
    const next = tf.sub(decayed, tf.mul(tf.div(m, denom), lr / bc1));
    slot.m.assign(m);
    slot.v.assign(v);
    param.assign(next);
  });
}
