// Loader -> trainer pairing: every view at batch position i is of image imageIndices[i] (view-major), globals and locals, normalised once.
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeShared } from '../../support/shared-suite';
import { scanDataset } from '../../../src/engine/dataset/scan-dataset';
import type { Batch } from '../../../src/engine/loader/batch-types';
import { MulticropLoader } from '../../../src/engine/loader/multicrop-loader';
import { produceBatch } from '../../../src/engine/loader/produce-batch';
import { RECIPE_DEFAULTS, augmentPart, type AugmentConfig } from '../../../src/shared/config-schema';
import type { ImageEntry } from '../../../src/shared/ipc-contract';
import { HAS_SHARED, HYMENOPTERA, SKIP_SHARED_REASON } from '../../support/shared-fixtures';

const B = 4;
const FULL: AugmentConfig = { ...augmentPart(RECIPE_DEFAULTS), globalSize: 64, localSize: 32, localCrops: 2 };
/** Every view is the whole image resized: no random crop, flip, colour, blur or solarize. */
const IDENTITY: AugmentConfig = {
  ...FULL,
  globalScale: [1, 1],
  localScale: [1, 1],
  aspectRange: [1, 1],
  flipProb: 0,
  jitterProb: 0,
  grayscaleProb: 0,
  global1BlurProb: 0,
  global2BlurProb: 0,
  localBlurProb: 0,
  global1SolarizeProb: 0,
  global2SolarizeProb: 0,
  localSolarizeProb: 0,
};

async function firstBatch(images: ImageEntry[], config: AugmentConfig, workers: number): Promise<Batch> {
  const loader = new MulticropLoader({ images, config, batchSize: B, seed: 2, prefetch: 1, workers });
  try {
    return await loader.next();
  } finally {
    await loader.close();
  }
}

/** View v of batch position i, as batch-types.ts lays it out (view-major). */
function view(b: Batch, v: number, i: number): Float32Array {
  const g = v < 2 ? b.groups[0]! : b.groups[1]!;
  const per = 3 * g.size * g.size;
  const vv = v < 2 ? v : v - 2;
  return g.data.subarray((vv * b.batchSize + i) * per, (vv * b.batchSize + i + 1) * per);
}

/** A CHW view box-averaged by an integer factor. */
function shrink(x: Float32Array, size: number, f: number): Float32Array {
  const s = size / f;
  const out = new Float32Array(3 * s * s);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < size; y++)
      for (let xx = 0; xx < size; xx++) out[c * s * s + Math.floor(y / f) * s + Math.floor(xx / f)]! += x[c * size * size + y * size + xx]! / (f * f);
  return out;
}

function meanSquaredDiff(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k]! - b[k]!) ** 2;
  return s / a.length;
}

describeShared(`view pairing on hymenoptera${HAS_SHARED ? '' : ` (${SKIP_SHARED_REASON})`}`, () => {
  let images: ImageEntry[];
  beforeAll(async () => {
    images = (await scanDataset(join(HYMENOPTERA, 'train'))).images.slice(0, 8);
  });

  it('every view at batch position i (worker-built batch) equals that view of image imageIndices[i] rendered alone', async () => {
    const b = await firstBatch(images, FULL, 1);
    expect(b.batchSize).toBe(B);
    expect(new Set(b.imageIndices).size).toBe(B);
    for (let i = 0; i < B; i++) {
      const e = images[b.imageIndices[i]!]!;
      const alone = await produceBatch(
        { epoch: b.epoch, index: b.index, items: [{ index: b.imageIndices[i]!, path: e.path, width: e.width, height: e.height, format: e.format }] },
        { config: FULL, seed: 2, maxPixels: RECIPE_DEFAULTS.maxPixels },
      );
      const single: Batch = { ...b, batchSize: 1, imageIndices: [b.imageIndices[i]!], groups: alone.groups };
      for (let v = 0; v < 2 + FULL.localCrops; v++) expect(view(b, v, i), `view ${v} of position ${i}`).toEqual(view(single, v, 0));
    }
  });

  it('by content: with identity crops both globals of position i are equal and each local matches its own global best', async () => {
    const b = await firstBatch(images, IDENTITY, 0);
    const f = IDENTITY.globalSize / IDENTITY.localSize;
    for (let i = 0; i < B; i++) {
      expect(meanSquaredDiff(view(b, 0, i), view(b, 1, i))).toBe(0);
      for (let v = 2; v < 2 + IDENTITY.localCrops; v++) {
        const d = Array.from({ length: B }, (_, j) => meanSquaredDiff(view(b, v, i), shrink(view(b, 0, j), IDENTITY.globalSize, f)));
        const best = d.indexOf(Math.min(...d));
        expect(best, `local view ${v} of position ${i}: distances ${d.map((x) => x.toFixed(3)).join(', ')}`).toBe(i);
        expect(d[i]!).toBeLessThan(0.05); // same picture at two resolutions (normalised units)
      }
    }
  });

  it('normalises every view exactly once: de-normalised locals and globals lie in [0, 1]', async () => {
    const b = await firstBatch(images, FULL, 0);
    for (const g of b.groups) {
      const plane = g.size * g.size;
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = 0; k < g.data.length; k++) {
        const c = Math.floor(k / plane) % 3;
        const v = g.data[k]! * FULL.std[c]! + FULL.mean[c]!;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      expect(lo, `${g.size} px group`).toBeGreaterThanOrEqual(-1e-5);
      expect(hi, `${g.size} px group`).toBeLessThanOrEqual(1 + 1e-5);
      expect(hi - lo).toBeGreaterThan(0.5);
    }
  });
});
