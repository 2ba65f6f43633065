// Training on the hostile corpus (issue 7): every usable file goes through the loader into real DINO steps, nothing crashes or leaks, and the folder is left byte-identical.
import { tinyModelConfig } from '../../support/tiny-model-config';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { augmentPart, type StudioConfig } from '../../../src/shared/config-schema';
import { scanDataset } from '../../../src/engine/dataset/scan-dataset';
import { MulticropLoader } from '../../../src/engine/loader/multicrop-loader';
import { createDinoSystem } from '../../../src/engine/train/dino-system';
import { hashTree, writeHostileCorpus, type Expectation } from '../dataset/hostile-corpus';

let tmp: string;
let root: string;
let expected: Map<string, Expectation>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = await mkdtemp(join(tmpdir(), 'hostile-train-'));
  root = join(tmp, 'corpus');
  await mkdir(root);
  await mkdir(join(tmp, 'outside'));
  expected = await writeHostileCorpus(root, join(tmp, 'outside'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('training on a hostile corpus', () => {
  it('steps over every usable file without a load failure, a non-finite loss or a leaked tensor, and changes nothing on disk', async () => {
    const before = await hashTree(tmp);
    const scan = await scanDataset(root, { progressMs: 0 });
    const usable = [...expected.values()].filter((e) => e.ok).length;
    expect(scan.images).toHaveLength(usable);
    const config: StudioConfig = tinyModelConfig({ batchSize: 1, backend: 'cpu' });
    // Batch size 1: one epoch is one step per usable image (drop_last drops nothing).
    const loader = new MulticropLoader({ images: scan.images, config: augmentPart(config), batchSize: 1, seed: 0, workers: 2, prefetch: 2 });
    const system = createDinoSystem(config, { seed: 0 });
    const seen = new Set<number>();
    let tensorsAfterFirst = -1;
    try {
      for (let s = 0; s < loader.batchesPerEpoch; s++) {
        const batch = await loader.next();
        for (const i of batch.imageIndices) seen.add(i);
        for (const g of batch.groups) expect(g.data.every(Number.isFinite)).toBe(true);
        const stats = await system.step(batch, { lr: 1e-4, wd: 0.04, momentum: 0.996, teacherTemp: 0.04, freezeLastLayer: true });
        expect(Number.isFinite(stats.loss), scan.images[batch.imageIndices[0]!]!.rel).toBe(true);
        if (tensorsAfterFirst < 0) tensorsAfterFirst = tf.memory().numTensors;
        else expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
      }
    } finally {
      await loader.close();
      system.dispose();
    }
    expect(loader.decodeFailures.listed).toEqual([]);
    expect(seen.size).toBe(usable);
    expect(await hashTree(tmp)).toBe(before);
  }, 600_000); // a few seconds on an idle machine; generous for a loaded one
});
