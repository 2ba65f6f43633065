// Parameter initialisation as the official DINO code (trunc_normal std .02, zero biases, unit norms, PyTorch defaults) from a seed.
import { SeededRng } from '../util/seeded-rng';
import { size, type ParamSpec } from './param-spec';
import type { HostTensor, NamedTensors } from '../train/step-types';

/** timm's trunc_normal_(std) truncates at absolute [-2, 2]; draws outside are redrawn. */
function truncNormal(rng: SeededRng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v = rng.normal() * std;
    while (v < -2 || v > 2) v = rng.normal() * std;
    out[i] = v;
  }
  return out;
}

/** PyTorch's default Linear / Conv2d init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform with a=sqrt(5)). */
function fanInUniform(rng: SeededRng, n: number, fanIn: number): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-bound, bound);
  return out;
}

/**
 * Host tensors (PyTorch shapes) for every spec, deterministic in (seed, parameter index):
 * cls_token / pos_embed / Linear weights trunc_normal(.02); Linear biases 0; LayerNorm 1 / 0;
 * patch_embed conv and the head's last layer keep PyTorch's default init; weight_g = 1 (norm_last_layer).
 */
export function initParams(specs: ParamSpec[], seed: number): NamedTensors {
  const out: NamedTensors = {};
  specs.forEach((s, idx) => {
    const rng = new SeededRng(seed, 0x1a17, idx);
    const n = size(s.hostShape);
    let data: Float32Array;
    const name = s.name;
    if (name.endsWith('last_layer.weight_g')) data = new Float32Array(n).fill(1);
    else if (name.endsWith('last_layer.weight_v')) data = fanInUniform(rng, n, s.hostShape[1]!);
    else if (name === 'patch_embed.proj.weight') data = fanInUniform(rng, n, size(s.hostShape.slice(1)));
    else if (name === 'patch_embed.proj.bias') data = fanInUniform(rng, n, patchFanIn(specs));
    else if (/(^|\.)norm\d?\.weight$/.test(name)) data = new Float32Array(n).fill(1);
    else if (name.endsWith('.bias')) data = new Float32Array(n);
    else data = truncNormal(rng, n, 0.02); // cls_token, pos_embed, Linear weights
    out[name] = { shape: s.hostShape.slice(), data } satisfies HostTensor;
  });
  return out;
}

function patchFanIn(specs: ParamSpec[]): number {
  const w = specs.find((s) => s.name === 'patch_embed.proj.weight');
  return w ? size(w.hostShape.slice(1)) : 1;
}
