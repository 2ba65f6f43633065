// The golden-tested DINO functions are the ones training runs: a real optimizer step calls dinoLoss and updatedCenter, and the center it keeps is updatedCenter's result.
import * as tf from '../../../src/engine/tf/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Batch } from '../../../src/engine/loader/batch-types';
import { SeededRng } from '../../../src/engine/util/seeded-rng';
import { tinyModelConfig } from '../../support/tiny-model-config';

const calls = vi.hoisted(() => ({ loss: 0, center: 0, lastCenter: null as Float32Array | null }));
vi.mock('../../../src/engine/train/dino-loss', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/engine/train/dino-loss')>();
  return {
    ...real,
    dinoLoss: (...args: Parameters<typeof real.dinoLoss>) => {
      calls.loss++;
      return real.dinoLoss(...args);
    },
    updatedCenter: (...args: Parameters<typeof real.updatedCenter>) => {
      calls.center++;
      const out = real.updatedCenter(...args);
      calls.lastCenter = out.dataSync() as Float32Array;
      return out;
    },
  };
});

const { createDinoSystem } = await import('../../../src/engine/train/dino-system');
const CFG = tinyModelConfig();

function batch(seed: number): Batch {
  const rng = new SeededRng(seed);
  const b = CFG.batchSize;
  const group = (size: number, views: number) => ({ size, views, data: Float32Array.from({ length: views * b * 3 * size * size }, () => rng.normal()) });
  return { epoch: 0, index: 0, imageIndices: Array.from({ length: b }, (_, i) => i), batchSize: b, groups: [group(CFG.globalSize, 2), group(CFG.localSize, CFG.localCrops)], waitMs: 0 };
}

describe('golden functions on the training path', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  it('a DINO step computes its loss with dinoLoss and its new center with updatedCenter (the values the golden test checks)', async () => {
    const sys = createDinoSystem(CFG, { seed: 4 });
    const before = sys.getState().center.data.slice();
    await sys.step(batch(1), { lr: 1e-3, wd: 0.04, momentum: 0.9, teacherTemp: 0.04, freezeLastLayer: false });
    expect(calls.loss).toBeGreaterThan(0);
    expect(calls.center).toBe(1);
    const after = sys.getState().center.data;
    expect(Array.from(after)).toEqual(Array.from(calls.lastCenter!));
    expect(Array.from(after)).not.toEqual(Array.from(before));
    sys.dispose();
  });
});
