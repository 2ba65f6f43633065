// Parameter counts of a configuration's DINO system (ViT backbone + DINO head), counted from the model's own parameter specs.
import type { StudioConfig } from '../../shared/config-schema';
import { headSpecs } from '../model/dino-head';
import { size } from '../model/param-spec';
import { ARCH_DIMS, vitConfig, vitSpecs } from '../model/vit';

export interface ParameterCount {
  /** Every float of one network (student or teacher): backbone + head. */
  total: number;
  /** Floats that receive gradients and AdamW slots (weight_g is frozen with normLastLayer). */
  trainable: number;
  /** The largest single parameter (floats): bounds the optimizer's per-parameter temporaries. */
  largest: number;
  /** The head's last layer weight_v (bottleneck x K). */
  lastLayer: number;
  embedDim: number;
  heads: number;
}

type ModelKeys = 'arch' | 'patchSize' | 'depth' | 'outDim' | 'headHiddenDim' | 'headBottleneckDim' | 'normLastLayer';

export function countParameters(c: Pick<StudioConfig, ModelKeys>): ParameterCount {
  const { embedDim, heads } = ARCH_DIMS[c.arch];
  const specs = [
    ...vitSpecs(vitConfig(c.arch, c.patchSize, c.depth)),
    ...headSpecs({ inDim: embedDim, hiddenDim: c.headHiddenDim, bottleneckDim: c.headBottleneckDim, outDim: c.outDim, normLastLayer: c.normLastLayer }),
  ];
  let total = 0;
  let trainable = 0;
  let largest = 0;
  for (const s of specs) {
    const n = size(s.internalShape);
    total += n;
    if (s.trainable) trainable += n;
    largest = Math.max(largest, n);
  }
  return { total, trainable, largest, lastLayer: c.headBottleneckDim * c.outDim, embedDim, heads };
}
