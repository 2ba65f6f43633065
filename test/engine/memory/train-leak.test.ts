// No leaks in training: 200 real DINO steps on the cpu backend keep the tensor count constant after the first step and stop growing in resident memory and heap.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { RECIPE_DEFAULTS, type StudioConfig } from '../../../src/shared/config-schema';
import type { Batch } from '../../../src/engine/loader/batch-types';
import { createDinoSystem } from '../../../src/engine/train/dino-system';
import { memoryParts } from '../../../src/engine/memory/estimate-memory';
import { SeededRng } from '../../../src/engine/util/seeded-rng';
import { settledRssMb, slope } from './rss-probe';

const config: StudioConfig = {
  ...RECIPE_DEFAULTS,
  arch: 'vit_tiny',
  depth: 1,
  globalSize: 16,
  localSize: 16,
  localCrops: 1,
  outDim: 128,
  headHiddenDim: 64,
  headBottleneckDim: 32,
  batchSize: 2,
  backend: 'cpu',
};

function batch(step: number): Batch {
  const rng = new SeededRng(7, step);
  const group = (size: number, views: number) => {
    const data = new Float32Array(views * config.batchSize * 3 * size * size);
    for (let i = 0; i < data.length; i++) data[i] = rng.normal();
    return { size, views, data };
  };
  return {
    epoch: 0,
    index: step,
    imageIndices: [0, 1],
    batchSize: config.batchSize,
    groups: [group(config.globalSize, 2), group(config.localSize, config.localCrops)],
    waitMs: 0,
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('training memory over 200 steps', () => {
  it('keeps the tensor count constant after the first step and resident memory flat', async () => {
    const system = createDinoSystem(config, { seed: 0 });
    const steps = 200;
    const counts: number[] = [];
    const bytes: number[] = [];
    const xs: number[] = [];
    const rss: number[] = [];
    const heap: number[] = [];
    for (let s = 0; s < steps; s++) {
      const stats = await system.step(batch(s), { lr: 1e-4, wd: 0.04, momentum: 0.996, teacherTemp: 0.04, freezeLastLayer: s < 20 });
      expect(Number.isFinite(stats.loss)).toBe(true);
      counts.push(tf.memory().numTensors);
      bytes.push(tf.memory().numBytes);
      if (s % 10 === 9) {
        xs.push(s);
        rss.push(settledRssMb());
        heap.push(process.memoryUsage().heapUsed / 2 ** 20);
      }
    }
    // Every step after the first leaves exactly the tensors (and bytes) the first one left: nothing leaks per step.
    expect(new Set(counts)).toEqual(new Set([counts[0]]));
    expect(new Set(bytes)).toEqual(new Set([bytes[0]]));
    // Resident memory and the JS heap stop growing: robust (Theil-Sen) slopes over the last half. Tensor leaks are
    // caught exactly above; RSS guards against native memory kept after dispose: keeping even 2% of a step's
    // activations (the memory model's figure, ~14 MB here) every step exceeds the bound, while forced-GC RSS on the
    // cpu backend wanders by a few MB (observed slopes up to ~40 KB/step), well under it.
    const activationKbPerStep = (memoryParts(config, 'cpu').activations * 4) / 1024;
    const half = Math.floor(xs.length / 2);
    const rssPerStep = slope(xs.slice(half), rss.slice(half));
    const heapPerStep = slope(xs.slice(half), heap.slice(half));
    const line = `training steps ${xs[half]}-${xs.at(-1)}: RSS ${(rssPerStep * 1024).toFixed(1)} KB/step (bound ${(activationKbPerStep / 50).toFixed(0)}), heap ${(heapPerStep * 1024).toFixed(2)} KB/step; RSS series ${rss.map((r) => r.toFixed(1)).join(' ')}`;
    console.log(line);
    expect(rssPerStep * 1024, line).toBeLessThan(activationKbPerStep / 50);
    expect(heapPerStep * 1024, line).toBeLessThan(8);
    system.dispose();
    expect(tf.memory().numTensors).toBeLessThan(counts[0]!);
  }, 900_000); // about 30 s on an idle 2-core machine; the generous limit keeps it from failing when others load the CPU
});
