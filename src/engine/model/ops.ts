// Differentiable building blocks tuned for the tfjs wasm backend: plain 2-D matMuls, fused bias, and custom gradients
// that keep only what the backward pass needs (tfjs otherwise holds every intermediate until the gradient is done).
import * as tf from '../tf/tfjs';

type CustomFn = Parameters<typeof tf.customGrad>[0];

/**
 * a [m,k] x b [k,n] as a plain 2-D matMul. The stock MatMul gradient uses transposeA/transposeB, which
 * the wasm backend runs on a slow path (~3 GFLOP/s vs ~40); this gradient transposes explicitly instead.
 */
export const mm: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as unknown as CustomFn) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** x [n, in] . w [in, out] + b [out] (fused bias); saves only x and w for the backward pass. */
const linearBias: (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D = tf.customGrad(((
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
  save: tf.GradSaveFunc,
) => {
  save([x, w]);
  return {
    value: tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, tf.transpose(sw)), tf.matMul(tf.transpose(sx), g), tf.sum(g, 0)];
    },
  };
}) as unknown as CustomFn) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** x [n, in] . w [in, out] + b [out]. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  return b ? linearBias(x, w, b) : mm(x, w);
}

/**
 * LayerNorm over the last axis of a 2-D tensor (biased variance, as PyTorch), eps fixed per call site.
 * Backward: dx = r * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * w, r = 1/sqrt(var + eps).
 */
function makeLayerNorm(eps: number) {
  return tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const [xhat, r, y] = tf.tidy(() => {
      const xc = tf.sub(x, tf.mean(x, -1, true));
      const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps));
      const xh = tf.mul(xc, rstd);
      return [xh, rstd, tf.add(tf.mul(xh, w), b)];
    });
    save([xhat!, r!, w]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, sr, sw] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const g = tf.mul(dy, sw);
        const dx = tf.mul(sr, tf.sub(tf.sub(g, tf.mean(g, -1, true)), tf.mul(sxhat, tf.mean(tf.mul(g, sxhat), -1, true))));
        return [dx, tf.sum(tf.mul(dy, sxhat), 0), tf.sum(dy, 0)];
      },
    };
  }) as unknown as CustomFn) as unknown as (x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor2D;
}
const layerNorms = new Map<number, (x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor2D>();

/** LayerNorm over the last axis of a 2-D tensor (biased variance, as PyTorch). */
export function layerNorm(x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D, eps = 1e-6): tf.Tensor2D {
  let f = layerNorms.get(eps);
  if (!f) layerNorms.set(eps, (f = makeLayerNorm(eps)));
  return f(x, w, b);
}

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** GELU, exact erf form: x * Phi(x). Custom gradient Phi(x) + x phi(x) keeps the backward graph small. */
export const gelu: <T extends tf.Tensor>(x: T) => T = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const [cdf, y] = tf.tidy(() => {
    const c = tf.mul(tf.add(tf.erf(tf.mul(x, INV_SQRT2)), 1), 0.5);
    return [c, tf.mul(x, c)];
  });
  save([x, cdf!]);
  return {
    value: y!,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, scdf] = saved as [tf.Tensor, tf.Tensor];
      const pdf = tf.mul(tf.exp(tf.mul(tf.square(sx), -0.5)), INV_SQRT_2PI);
      return [tf.mul(dy, tf.add(scdf, tf.mul(sx, pdf)))];
    },
  };
}) as unknown as CustomFn) as unknown as <T extends tf.Tensor>(x: T) => T;

/** Row-wise L2 normalisation as torch.nn.functional.normalize (eps 1e-12 on the norm). */
export function l2Normalize(x: tf.Tensor2D, eps = 1e-12): tf.Tensor2D {
  return tf.tidy(() => {
    const n = tf.sqrt(tf.sum(tf.square(x), -1, true));
    return tf.div(x, tf.maximum(n, eps)) as tf.Tensor2D;
  });
}
