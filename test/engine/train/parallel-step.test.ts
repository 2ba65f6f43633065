// The 2-thread data-parallel DINO step gives the same update as the single-thread step on the whole batch (wasm backend).
import { tinyModelConfig } from '../../support/tiny-model-config';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StudioConfig } from '../../../src/shared/config-schema';
import { startBackend } from '../../../src/engine/backends/select-backend';
import { createDinoSystem } from '../../../src/engine/train/dino-system';
import { ParallelDinoSystem } from '../../../src/engine/train/parallel-dino-system';
import type { Batch } from '../../../src/engine/loader/batch-types';
import type { StepSchedule } from '../../../src/engine/train/step-types';
import { SeededRng } from '../../../src/engine/util/seeded-rng';

const CFG: StudioConfig = tinyModelConfig();
const SCHED: StepSchedule = { lr: 1e-3, wd: 0.04, momentum: 0.9, teacherTemp: 0.04, freezeLastLayer: false };

function batchOf(seed: number): Batch {
  const rng = new SeededRng(seed);
  const g = (size: number, views: number) => ({
    size,
    views,
    data: Float32Array.from({ length: views * CFG.batchSize * 3 * size * size }, () => rng.normal()),
  });
  return { epoch: 0, index: 0, imageIndices: [0, 1, 2, 3], batchSize: 4, groups: [g(32, 2), g(16, 2)], waitMs: 0 };
}

describe('data-parallel DINO step (2 threads, wasm backend)', () => {
  beforeAll(async () => {
    await startBackend('wasm');
  });

  it('matches the single-thread update over two steps', async () => {
    const single = createDinoSystem(CFG, { seed: 2 });
    const par = await ParallelDinoSystem.create(CFG, { seed: 2, threads: 2, backend: 'wasm' });
    try {
      for (const seed of [1, 2]) {
        const a = await single.step(batchOf(seed), SCHED);
        const b = await par.step(batchOf(seed), SCHED);
        expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-4);
        expect(Math.abs(a.batchMeanEntropy - b.batchMeanEntropy)).toBeLessThan(1e-4);
      }
      const sa = single.getState();
      const sb = par.getState();
      let worst = 0;
      for (const k of Object.keys(sa.student)) {
        const x = sa.student[k]!.data;
        const y = sb.student[k]!.data;
        for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
      }
      expect(worst).toBeLessThan(0.05 * SCHED.lr);
      for (let i = 0; i < sa.center.data.length; i++) expect(Math.abs(sa.center.data[i]! - sb.center.data[i]!)).toBeLessThan(1e-5);
      expect(sb.optimizerStep).toBe(2);
    } finally {
      single.dispose();
      await par.close();
      par.main.dispose();
    }
  });

  it('stops on a non-finite loss before the update, like the single-thread step (the guard in trainStep)', async () => {
    const par = await ParallelDinoSystem.create(CFG, { seed: 3, threads: 2, backend: 'wasm' });
    try {
      const st = par.getState();
      st.student['head.mlp.4.bias']!.data.fill(Number.NaN);
      par.setState(st);
      const before = par.getState();
      await expect(par.step(batchOf(1), SCHED)).rejects.toThrow(/the DINO loss is NaN at optimizer step 0 .*last good checkpoint is intact/);
      const after = par.getState();
      expect(after.optimizerStep).toBe(0);
      for (const part of ['student', 'teacher', 'optimizer'] as const) {
        for (const [k, t] of Object.entries(before[part])) expect(Array.from(after[part][k]!.data), `${part} ${k}`).toEqual(Array.from(t.data));
      }
      expect(Array.from(after.center.data)).toEqual(Array.from(before.center.data));
    } finally {
      await par.dispose();
    }
  });
});
