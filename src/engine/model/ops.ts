// Differentiable building blocks tuned for the tfjs wasm backend: 2-D matMul without transpose flags, LayerNorm, exact GELU.
import * as tf from '../tf/tfjs';

/**
 * a [m,k] x b [k,n] as a plain 2-D matMul. The stock MatMul gradient uses transposeA/transposeB, which
 * the wasm backend runs on a slow path (~3 GFLOP/s vs ~40); this gradient transposes explicitly instead.
 */
export const mm: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D = tf.customGrad(
  ((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    save([a, b]);
    return {
      value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** x [n, in] . w [in, out] + b [out]. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const y = mm(x, w);
  return b ? tf.add(y, b) : y;
}

/** LayerNorm over the last axis of a 2-D tensor (biased variance, as PyTorch). */
export function layerNorm(x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D, eps = 1e-6): tf.Tensor2D {
  return tf.tidy(() => {
    const xc = tf.sub(x, tf.mean(x, -1, true));
    const variance = tf.mean(tf.square(xc), -1, true);
    const xhat = tf.mul(xc, tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(xhat, w), b) as tf.Tensor2D;
  });
}

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** GELU, exact erf form: x * Phi(x). Custom gradient Phi(x) + x phi(x) keeps the backward graph small. */
export const gelu: <T extends tf.Tensor>(x: T) => T = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const cdf = tf.tidy(() => tf.mul(tf.add(tf.erf(tf.mul(x, INV_SQRT2)), 1), 0.5));
  save([x, cdf]);
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, scdf] = saved as [tf.Tensor, tf.Tensor];
      const pdf = tf.mul(tf.exp(tf.mul(tf.square(sx), -0.5)), INV_SQRT_2PI);
      return [tf.mul(dy, tf.add(scdf, tf.mul(sx, pdf)))];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as <T extends tf.Tensor>(x: T) => T;

/** Row-wise L2 normalisation as torch.nn.functional.normalize (eps 1e-12 on the norm). */
export function l2Normalize(x: tf.Tensor2D, eps = 1e-12): tf.Tensor2D {
  return tf.tidy(() => {
    const n = tf.sqrt(tf.sum(tf.square(x), -1, true));
    return tf.div(x, tf.maximum(n, eps)) as tf.Tensor2D;
  });
}
