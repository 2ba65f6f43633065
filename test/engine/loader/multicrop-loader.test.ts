// MulticropLoader: byte-identical batches whatever the worker count, seeds matter, exact resume, drop_last, every real image loads.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeShared } from '../../support/shared-suite';
import { scanDataset } from '../../../src/engine/dataset/scan-dataset';
import type { Batch } from '../../../src/engine/loader/batch-types';
import { MulticropLoader, epochPermutation } from '../../../src/engine/loader/multicrop-loader';
import { produceBatch } from '../../../src/engine/loader/produce-batch';
import { RECIPE_DEFAULTS, augmentPart, type AugmentConfig } from '../../../src/shared/config-schema';
import type { ImageEntry } from '../../../src/shared/ipc-contract';
import { HAS_SHARED, HYMENOPTERA, SKIP_SHARED_REASON } from '../../support/shared-fixtures';

const CONFIG: AugmentConfig = { ...augmentPart(RECIPE_DEFAULTS), globalSize: 64, localSize: 32, localCrops: 3 };

function digest(b: Batch): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ epoch: b.epoch, index: b.index, imageIndices: b.imageIndices, shapes: b.groups.map((g) => [g.size, g.views, g.data.length]) }));
  for (const g of b.groups) h.update(new Uint8Array(g.data.buffer, g.data.byteOffset, g.data.byteLength));
  return h.digest('hex');
}

async function take(opts: ConstructorParameters<typeof MulticropLoader>[0], n: number): Promise<{ digests: string[]; batches: Batch[]; position: unknown }> {
  const loader = new MulticropLoader(opts);
  try {
    const batches: Batch[] = [];
    for (let k = 0; k < n; k++) batches.push(await loader.next());
    return { digests: batches.map(digest), batches, position: loader.position() };
  } finally {
    await loader.close();
  }
}

describe('epoch order', () => {
  it('is a permutation per (seed, epoch)', () => {
    const p = epochPermutation(3, 0, 1000);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...epochPermutation(3, 0, 1000)]).toEqual([...p]);
    expect([...epochPermutation(3, 1, 1000)]).not.toEqual([...p]);
    expect([...epochPermutation(4, 0, 1000)]).not.toEqual([...p]);
  });
});

describeShared(`loader on hymenoptera${HAS_SHARED ? '' : ` (${SKIP_SHARED_REASON})`}`, () => {
  let images: ImageEntry[];
  beforeAll(async () => {
    images = (await scanDataset(join(HYMENOPTERA, 'train'))).images.slice(0, 10);
  });

  it('gives byte-identical batches with 0, 1 and 2 workers, and different ones for another seed', async () => {
    const base = { images, config: CONFIG, batchSize: 4, seed: 5, prefetch: 3 };
    // 10 images, batch 4 -> 2 batches per epoch (drop_last); 3 batches cross into epoch 1.
    const w0 = await take({ ...base, workers: 0 }, 3);
    const w1 = await take({ ...base, workers: 1 }, 3);
    const w2 = await take({ ...base, workers: 2 }, 3);
    expect(w1.digests).toEqual(w0.digests);
    expect(w2.digests).toEqual(w0.digests);
    expect(w0.batches.map((b) => [b.epoch, b.index])).toEqual([[0, 0], [0, 1], [1, 0]]);
    expect(w0.position).toEqual({ epoch: 1, index: 1 });
    const other = await take({ ...base, seed: 6, workers: 0 }, 1);
    expect(other.digests[0]).not.toEqual(w0.digests[0]);

    const b = w0.batches[0]!;
    expect(b.groups.map((g) => [g.size, g.views, g.data.length])).toEqual([
      [64, 2, 2 * 4 * 3 * 64 * 64],
      [32, 3, 3 * 4 * 3 * 32 * 32],
    ]);
    expect(new Set(b.imageIndices).size).toBe(4);
    expect(b.imageIndices).toEqual([...epochPermutation(5, 0, 10).slice(0, 4)]);
  });

  it('builds the same bytes into recycled batch buffers (0 and 2 workers), reusing them', async () => {
    const base = { images, config: CONFIG, batchSize: 4, seed: 5, prefetch: 2 };
    const fresh = await take({ ...base, workers: 0 }, 5);
    for (const workers of [0, 2]) {
      const loader = new MulticropLoader({ ...base, workers });
      try {
        const digests: string[] = [];
        const seen = new Set<ArrayBufferLike>();
        let reused = 0;
        for (let k = 0; k < 5; k++) {
          const b = await loader.next();
          digests.push(digest(b));
          for (const g of b.groups) {
            if (seen.has(g.data.buffer)) reused++;
            seen.add(g.data.buffer);
          }
          // scribble over it first: a recycled buffer must be fully rewritten
          for (const g of b.groups) g.data.fill(Number.NaN);
          loader.recycle(b);
        }
        expect(digests, `${workers} workers`).toEqual(fresh.digests);
        if (workers === 0) expect(reused).toBeGreaterThan(0); // in-process: the very same buffers come back
      } finally {
        await loader.close();
      }
    }
  });

  it('resumes exactly from a saved position', async () => {
    const base = { images, config: CONFIG, batchSize: 4, seed: 9, prefetch: 2, workers: 0 };
    const full = await take(base, 3);
    const resumed = await take({ ...base, start: { epoch: 0, index: 1 } }, 2);
    expect(resumed.digests).toEqual(full.digests.slice(1));
  });

  it('writes view v of image i where batch-types.ts says, normalised with the recipe mean and std', async () => {
    const { batches } = await take({ images, config: CONFIG, batchSize: 4, seed: 1, prefetch: 1, workers: 0 }, 1);
    const g = batches[0]!.groups[0]!;
    const plane = g.size * g.size;
    // de-normalised values stay within [0, 1] (up to float error) for every channel of every view
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < g.data.length; k++) {
      const c = Math.floor(k / plane) % 3;
      const v = g.data[k]! * CONFIG.std[c]! + CONFIG.mean[c]!;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeGreaterThanOrEqual(-1e-5);
    expect(hi).toBeLessThanOrEqual(1 + 1e-5);
    expect(hi - lo).toBeGreaterThan(0.5); // real image content, not a constant fill
  });

  it('refuses a dataset smaller than one batch with a message naming the setting', () => {
    expect(() => new MulticropLoader({ images: images.slice(0, 3), config: CONFIG, batchSize: 4, seed: 0, workers: 0, prefetch: 1 })).toThrow(/batchSize/);
  });

  it('loads every real file of hymenoptera (train and val, the GIF included)', async () => {
    const all = (await scanDataset(HYMENOPTERA)).images;
    expect(all.length).toBe(398);
    const tiny: AugmentConfig = { ...CONFIG, globalSize: 16, localSize: 8, localCrops: 1 };
    const items = all.map((e, index) => ({ index, path: e.path, width: e.width, height: e.height, format: e.format }));
    const out = await produceBatch({ epoch: 0, index: 0, items }, { config: tiny, seed: 0, maxPixels: 1e8, inFlight: 4 });
    expect(out.failures).toEqual([]);
  });
});

describeShared('loader shutdown', () => {
  it('closes promptly while workers are still building prefetched batches', async () => {
    const images = (await scanDataset(join(HYMENOPTERA, 'train'))).images.slice(0, 40);
    const loader = new MulticropLoader({ images, config: CONFIG, batchSize: 4, seed: 2, workers: 2, prefetch: 6 });
    await loader.next();
    await loader.close(); // must not wait for (or hang on) the batches in flight
    await expect(loader.next()).rejects.toThrow(/closed/);
  });
});
