// No leaks in the loader: several epochs of real multi-crop batches (worker threads, prefetch) stop growing in resident memory and heap.
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECIPE_DEFAULTS, augmentPart } from '../../../src/shared/config-schema';
import type { ImageEntry } from '../../../src/shared/ipc-contract';
import { MulticropLoader } from '../../../src/engine/loader/multicrop-loader';
import { SeededRng } from '../../../src/engine/util/seeded-rng';
import { settledRssMb, slope } from './rss-probe';

let root: string;
const images: ImageEntry[] = [];

beforeAll(async () => {
  // libvips keeps a process-wide operation cache (up to 50 MB by default) that grows for a while by design; with it
  // off, any growth left is the loader's own.
  sharp.cache(false);
  root = await mkdtemp(join(tmpdir(), 'loader-leak-'));
  await mkdir(join(root, 'x'));
  const rng = new SeededRng(3);
  for (let i = 0; i < 24; i++) {
    const w = 80 + rng.int(80);
    const h = 80 + rng.int(80);
    const px = Buffer.alloc(w * h * 3);
    for (let k = 0; k < px.length; k++) px[k] = rng.int(256);
    const path = join(root, 'x', `img-${i}.jpg`);
    await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg().toFile(path);
    images.push({ path, rel: `x/img-${i}.jpg`, label: 'x', width: w, height: h, format: 'jpeg' });
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Trace {
  rssSlope: number; // MB per epoch over the second half (Theil-Sen)
  heapSlope: number;
  line: string;
}

async function runEpochs(workers: number, epochs: number): Promise<Trace> {
  const config = { ...RECIPE_DEFAULTS, globalSize: 64, localSize: 32, localCrops: 4 };
  const loader = new MulticropLoader({ images, config: augmentPart(config), batchSize: BATCH, seed: 1, workers, prefetch: 3 });
  const rss: number[] = [];
  const heap: number[] = [];
  const xs: number[] = [];
  try {
    for (let e = 0; e < epochs; e++) {
      for (let b = 0; b < loader.batchesPerEpoch; b++) {
        const batch = await loader.next();
        expect(batch.epoch).toBe(e);
        expect(batch.groups[0]!.data.length).toBe(2 * BATCH * 3 * 64 * 64);
      }
      xs.push(e);
      rss.push(settledRssMb());
      heap.push(process.memoryUsage().heapUsed / 2 ** 20);
    }
  } finally {
    await loader.close();
  }
  expect(loader.decodeFailures.listed).toEqual([]);
  const half = epochs / 2;
  const rssSlope = slope(xs.slice(half), rss.slice(half));
  const heapSlope = slope(xs.slice(half), heap.slice(half));
  const line =
    `loader (${workers} workers) epochs ${half}-${epochs - 1}: RSS ${(rssSlope * 1024).toFixed(0)} KB/epoch, heap ${(heapSlope * 1024).toFixed(0)} KB/epoch ` +
    `(one batch is ${(BATCH_BYTES / 1024).toFixed(0)} KB); RSS series ${rss.map((r) => r.toFixed(1)).join(' ')}`;
  console.log(line);
  return { rssSlope, heapSlope, line };
}

const BATCH = 4;
const BATCH_BYTES = BATCH * (2 * 3 * 64 * 64 + 4 * 3 * 32 * 32) * 4;
const MB = 2 ** 20;

describe('loader memory over several epochs', () => {
  it('in-process: resident memory and heap stop growing (less than one batch per epoch)', async () => {
    const t = await runEpochs(0, 12);
    expect(t.rssSlope * MB, t.line).toBeLessThan(BATCH_BYTES);
    expect(t.heapSlope * MB, t.line).toBeLessThan(BATCH_BYTES / 4);
  });

  it('with worker threads: the main heap stays flat and RSS grows by less than one batch per delivered batch', async () => {
    // Worker isolates collect their garbage on their own schedule (a sawtooth of a few MB), so RSS is held to a
    // looser bound here; keeping every delivered batch (6 per epoch) would exceed it.
    const t = await runEpochs(2, 16);
    expect(t.heapSlope * MB, t.line).toBeLessThan(BATCH_BYTES / 4);
    expect(t.rssSlope * MB, t.line).toBeLessThan(4 * BATCH_BYTES);
  });
});
