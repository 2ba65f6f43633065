// 'train:probe' through the real engine dispatcher: a step of the config really timed in a worker thread, cached per config, scaled from at most 16 images, refused while a run trains.
import { describe, expect, it } from 'vitest';
import type { StepProbe, TrainStatus } from '../../../src/shared/ipc-contract';
import { probeKey } from '../../../src/engine/train/step-probe';
import { engineOnData } from '../../support/engine-on-data';
import { tinyConfig, writeTinyDataset } from './tiny-run';

const { data, dispatch } = engineOnData('mc-probe-', (dir) => writeTinyDataset(dir, 12));
const config = tinyConfig({ backend: 'wasm', epochs: 500, checkpointEvery: 1000 });

describe('train:probe', () => {
  it('times real steps once per config and answers again from the cache', async () => {
    const first = await dispatch<StepProbe>('train:probe', { config });
    expect(first.ok, JSON.stringify(first)).toBe(true);
    if (!first.ok) return;
    expect(first.value).toMatchObject({ measuredBatch: config.batchSize, batchSize: config.batchSize, steps: 2, backend: 'wasm', cached: false });
    expect(first.value.msPerStep).toBeGreaterThan(0);
    expect(first.value.imagesPerSec).toBeCloseTo((config.batchSize * 1000) / first.value.msPerStep, 6);
    const again = await dispatch<StepProbe>('train:probe', { config: { ...config, lr: 0.1, epochs: 3 } }); // settings that do not change a step's time
    expect(again.ok && again.value).toEqual({ ...first.value, cached: true });
    const deeper = await dispatch<StepProbe>('train:probe', { config: { ...config, depth: 2 } });
    expect(deeper.ok && deeper.value.cached).toBe(false);
  });

  it('times at most 16 images and scales to the batch', async () => {
    const big = await dispatch<StepProbe>('train:probe', { config: { ...config, batchSize: 24 } });
    expect(big.ok, JSON.stringify(big)).toBe(true);
    if (big.ok) expect(big.value).toMatchObject({ measuredBatch: 16, batchSize: 24 });
    expect(probeKey({ ...config, batchSize: 24 })).not.toBe(probeKey(config));
  });

  it('is refused while a run trains, unless the config was measured before', async () => {
    const st = await dispatch<TrainStatus>('train:start', { dataset: data, config });
    expect(st.ok, JSON.stringify(st)).toBe(true);
    try {
      const r = await dispatch<StepProbe>('train:probe', { config: { ...config, depth: 3 } });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('busy');
        expect(r.error.message).toMatch(/is training: timing a step now would slow it/);
      }
      const cached = await dispatch<StepProbe>('train:probe', { config });
      expect(cached.ok && cached.value.cached).toBe(true);
    } finally {
      if (st.ok) await dispatch('train:stop', { runId: st.value.runId });
    }
  });
});
