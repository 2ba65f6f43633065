// Vision Transformer backbone (official DINO vision_transformer.py numerics) as functions over named tfjs tensors.
import * as tf from '../tf/tfjs';
import { gelu, layerNorm, linear, mm } from './ops';
import { spec, type ParamSpec } from './param-spec';
import { posEmbedInterpMatrix } from './pos-embed-interp';
import { attention, type AttentionMode } from './attention';
import { activeBackend } from '../backends/backend-registry';

export type VitArch = 'vit_tiny' | 'vit_small' | 'vit_base';

export interface VitConfig {
  embedDim: number;
  depth: number;
  heads: number;
  patchSize: number;
  /** Training image size the position embeddings are learned for (224 as the official code). */
  imgSize: number;
  /** Attention layout; absent: the layout of the backend running (its descriptor's). */
  attention?: AttentionMode;
}

export const ARCH_DIMS: Record<VitArch, { embedDim: number; heads: number }> = {
  vit_tiny: { embedDim: 192, heads: 3 },
  vit_small: { embedDim: 384, heads: 6 },
  vit_base: { embedDim: 768, heads: 12 },
};

export function vitConfig(arch: VitArch, patchSize: number, depth = 12, imgSize = 224): VitConfig {
  return { ...ARCH_DIMS[arch], depth, patchSize, imgSize };
}

/** Named tensors in internal layout (see param-spec.ts). */
export type Params = Map<string, tf.Tensor>;

export function vitSpecs(c: VitConfig): ParamSpec[] {
  const d = c.embedDim;
  const p = c.patchSize;
  const n = (c.imgSize / p) ** 2;
  const s: ParamSpec[] = [
    spec('cls_token', [1, 1, d], 'same', [1, d]),
    spec('pos_embed', [1, n + 1, d], 'same', [n + 1, d]),
    spec('patch_embed.proj.weight', [d, 3, p, p], 'transpose'),
    spec('patch_embed.proj.bias', [d], 'same'),
  ];
  for (let i = 0; i < c.depth; i++) {
    const b = `blocks.${i}.`;
    s.push(
      spec(b + 'norm1.weight', [d], 'same'),
      spec(b + 'norm1.bias', [d], 'same'),
      spec(b + 'attn.qkv.weight', [3 * d, d], 'transpose'),
      spec(b + 'attn.qkv.bias', [3 * d], 'same'),
      spec(b + 'attn.proj.weight', [d, d], 'transpose'),
      spec(b + 'attn.proj.bias', [d], 'same'),
      spec(b + 'norm2.weight', [d], 'same'),
      spec(b + 'norm2.bias', [d], 'same'),
      spec(b + 'mlp.fc1.weight', [4 * d, d], 'transpose'),
      spec(b + 'mlp.fc1.bias', [4 * d], 'same'),
      spec(b + 'mlp.fc2.weight', [d, 4 * d], 'transpose'),
      spec(b + 'mlp.fc2.bias', [d], 'same'),
    );
  }
  s.push(spec('norm.weight', [d], 'same'), spec('norm.bias', [d], 'same'));
  return s;
}

/** Images [n, 3, h, w] (NCHW, row-major) -> patches [n * gh * gw, 3*p*p] in (channel, row, column) order. */
export function patchify(data: Float32Array, n: number, h: number, w: number, p: number): Float32Array {
  const gh = Math.floor(h / p);
  const gw = Math.floor(w / p);
  const k = 3 * p * p;
  const out = new Float32Array(n * gh * gw * k);
  let o = 0;
  for (let img = 0; img < n; img++) {
    const base = img * 3 * h * w;
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        for (let c = 0; c < 3; c++) {
          for (let r = 0; r < p; r++) {
            const src = base + c * h * w + (gy * p + r) * w + gx * p;
            out.set(data.subarray(src, src + p), o);
            o += p;
          }
        }
      }
    }
  }
  return out;
}

export interface ImageBatch {
  data: Float32Array; // [n, 3, h, w]
  n: number;
  h: number;
  w: number;
}

export interface VitOutput {
  /** CLS token after the final norm, [n, d]. */
  cls: tf.Tensor2D;
  /** Last block's CLS-to-patch attention per head, [n, heads, patches] (only when asked for). */
  attention?: tf.Tensor3D;
}

function get(p: Params, name: string): tf.Tensor {
  const t = p.get(name);
  if (!t) throw new Error(`missing parameter ${name}`);
  return t;
}

/** Position embeddings for an h x w input ([1 + gh*gw, d]), interpolated bicubically when the grid differs. */
export function positionEmbedding(p: Params, c: VitConfig, h: number, w: number): tf.Tensor2D {
  const pos = get(p, 'pos_embed') as tf.Tensor2D;
  const n = pos.shape[0] - 1;
  const k = posEmbedInterpMatrix(n, c.patchSize, h, w);
  if (!k) return pos;
  return mm(tf.tensor2d(k.matrix, [k.rows, n + 1]), pos);
}

/** One pre-norm transformer block; returns [output] or [output, last CLS attention] when asked. */
function block(p: Params, c: VitConfig, h: tf.Tensor2D, i: number, n: number, t1: number, wantAttn: boolean): tf.Tensor[] {
  const d = c.embedDim;
  const b = `blocks.${i}.`;
  const g = (k: string) => get(p, b + k);
  const n1 = layerNorm(h, g('norm1.weight') as tf.Tensor1D, g('norm1.bias') as tf.Tensor1D);
  const qkv = linear(n1, g('attn.qkv.weight') as tf.Tensor2D, g('attn.qkv.bias') as tf.Tensor1D);
  const a = attention(qkv, n, t1, c.heads, d / c.heads, wantAttn, c.attention ?? activeBackend().attention);
  const h1 = tf.add(h, linear(a.out, g('attn.proj.weight') as tf.Tensor2D, g('attn.proj.bias') as tf.Tensor1D)) as tf.Tensor2D;
  const n2 = layerNorm(h1, g('norm2.weight') as tf.Tensor1D, g('norm2.bias') as tf.Tensor1D);
  const f1 = gelu(linear(n2, g('mlp.fc1.weight') as tf.Tensor2D, g('mlp.fc1.bias') as tf.Tensor1D));
  const out = tf.add(h1, linear(f1, g('mlp.fc2.weight') as tf.Tensor2D, g('mlp.fc2.bias') as tf.Tensor1D));
  return a.clsAttention ? [out, a.clsAttention] : [out];
}

/** Forward pass. Differentiable with respect to every parameter in `p`. */
export function vitForward(p: Params, c: VitConfig, x: ImageBatch, opts: { attention?: boolean } = {}): VitOutput {
  const d = c.embedDim;
  const ps = c.patchSize;
  const gh = Math.floor(x.h / ps);
  const gw = Math.floor(x.w / ps);
  const t = gh * gw;
  const t1 = t + 1;
  const patches = tf.tensor2d(patchify(x.data, x.n, x.h, x.w, ps), [x.n * t, 3 * ps * ps]);
  const emb = linear(patches, get(p, 'patch_embed.proj.weight') as tf.Tensor2D, get(p, 'patch_embed.proj.bias') as tf.Tensor1D);
  const cls = tf.tile(tf.reshape(get(p, 'cls_token'), [1, 1, d]), [x.n, 1, 1]);
  const tokens = tf.concat([cls, tf.reshape(emb, [x.n, t, d])], 1);
  const pos = positionEmbedding(p, c, x.h, x.w);
  let h = tf.reshape(tf.add(tokens, pos), [x.n * t1, d]) as tf.Tensor2D;
  let lastAttention: tf.Tensor3D | undefined;
  for (let i = 0; i < c.depth; i++) {
    // One tidy per block frees its intermediates at once; tensors a gradient needs are kept by tfjs's tape.
    const prev = h;
    const wantAttn = opts.attention === true && i === c.depth - 1;
    const res = tf.tidy(() => block(p, c, prev, i, x.n, t1, wantAttn));
    h = res[0] as tf.Tensor2D;
    if (res[1]) lastAttention = res[1] as tf.Tensor3D;
    prev.dispose();
  }
  // Only the CLS rows go through the final norm (LayerNorm is per token, so this equals norm(x)[:, 0]).
  const clsRows = tf.reshape(tf.slice(tf.reshape(h, [x.n, t1, d]), [0, 0, 0], [x.n, 1, d]), [x.n, d]) as tf.Tensor2D;
  const out = layerNorm(clsRows, get(p, 'norm.weight') as tf.Tensor1D, get(p, 'norm.bias') as tf.Tensor1D);
  return lastAttention ? { cls: out, attention: lastAttention } : { cls: out };
}
