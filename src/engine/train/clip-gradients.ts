// Per-parameter gradient clipping as DINO's utils.clip_gradients: each gradient scaled by clip/(norm+1e-6) when that is < 1.
import * as tf from '../tf/tfjs';

/** One gradient clipped on its own L2 norm (a no-op multiply by 1 when the norm is small enough). */
export function clipGradient(g: tf.Tensor, clip: number): tf.Tensor {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.sum(tf.square(g)));
    const coef = tf.minimum(tf.div(clip, tf.add(norm, 1e-6)), 1);
    return tf.mul(g, coef);
  });
}

/** Clip every gradient on its own norm; `clip` <= 0 disables clipping (returns the inputs). */
export function clipGradients<T extends Record<string, tf.Tensor>>(grads: T, clip: number): T {
  if (!(clip > 0)) return grads;
  const out: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) out[k] = clipGradient(g, clip);
  return out as T;
}
