// DINO projection head: 3-layer MLP with GELU, L2-normalised bottleneck, weight-normalised last layer (official dino_head).
import * as tf from '../tf/tfjs';
import { gelu, l2Normalize, linear, mm } from './ops';
import { spec, type ParamSpec } from './param-spec';
import type { Params } from './vit';

export interface HeadConfig {
  inDim: number;
  hiddenDim: number;
  bottleneckDim: number;
  outDim: number;
  /** Fix the weight-norm gain g at 1 (then weight_g receives no gradient). */
  normLastLayer: boolean;
}

/** Parameter specs with names prefixed (e.g. 'head.'); layer indices 0/2/4 as nn.Sequential in the official code. */
export function headSpecs(c: HeadConfig, prefix = 'head.'): ParamSpec[] {
  return [
    spec(prefix + 'mlp.0.weight', [c.hiddenDim, c.inDim], 'transpose'),
    spec(prefix + 'mlp.0.bias', [c.hiddenDim], 'same'),
    spec(prefix + 'mlp.2.weight', [c.hiddenDim, c.hiddenDim], 'transpose'),
    spec(prefix + 'mlp.2.bias', [c.hiddenDim], 'same'),
    spec(prefix + 'mlp.4.weight', [c.bottleneckDim, c.hiddenDim], 'transpose'),
    spec(prefix + 'mlp.4.bias', [c.bottleneckDim], 'same'),
    spec(prefix + 'last_layer.weight_g', [c.outDim, 1], 'same', [1, c.outDim], !c.normLastLayer),
    spec(prefix + 'last_layer.weight_v', [c.outDim, c.bottleneckDim], 'transpose'),
  ];
}

function get(p: Params, name: string): tf.Tensor {
  const t = p.get(name);
  if (!t) throw new Error(`missing parameter ${name}`);
  return t;
}

/** x [n, inDim] -> logits [n, outDim]. */
export function headForward(p: Params, x: tf.Tensor2D, prefix = 'head.'): tf.Tensor2D {
  const g = (k: string) => get(p, prefix + k);
  let h = gelu(linear(x, g('mlp.0.weight') as tf.Tensor2D, g('mlp.0.bias') as tf.Tensor1D));
  h = gelu(linear(h, g('mlp.2.weight') as tf.Tensor2D, g('mlp.2.bias') as tf.Tensor1D));
  const z = l2Normalize(linear(h, g('mlp.4.weight') as tf.Tensor2D, g('mlp.4.bias') as tf.Tensor1D));
  // weight_norm(dim=0): W[k, :] = g[k] * v[k, :] / ||v[k, :]||; internally v is [bottleneck, K], so columns.
  const v = g('last_layer.weight_v') as tf.Tensor2D;
  const w = tf.mul(tf.div(v, tf.sqrt(tf.sum(tf.square(v), 0, true))), g('last_layer.weight_g')) as tf.Tensor2D;
  return mm(z, w);
}
