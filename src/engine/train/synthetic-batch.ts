// A synthetic view-major batch (standard-normal pixels, as the anchor's torch.randn crops) at a config's sizes (2 globals + N locals, batchSize images): what bench-train and the step-time probe time a step on.
import type { StudioConfig } from '../../shared/config-schema';
import type { Batch } from '../loader/batch-types';
import { SeededRng } from '../util/seeded-rng';

export function syntheticBatch(c: Pick<StudioConfig, 'batchSize' | 'globalSize' | 'localSize' | 'localCrops'>, seed: number): Batch {
  const rng = new SeededRng(seed, 0xbe4c);
  const group = (size: number, views: number) => {
    const data = new Float32Array(views * c.batchSize * 3 * size * size);
    for (let i = 0; i < data.length; i++) data[i] = rng.normal();
    return { size, views, data };
  };
  const groups = [group(c.globalSize, 2)];
  if (c.localCrops > 0) groups.push(group(c.localSize, c.localCrops));
  return { epoch: 0, index: 0, imageIndices: Array.from({ length: c.batchSize }, (_, i) => i), batchSize: c.batchSize, groups, waitMs: 0 };
}
