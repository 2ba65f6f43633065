// Crash safety, part 1: SIGKILL `multicrop train` at random moments and right after metrics rows; each restart resumes exactly.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricRow } from '../../../src/shared/ipc-contract';
import { readMetrics } from '../../../src/engine/train/metrics-log';
import { runTraining } from '../../../src/engine/train/train-loop';
import { CheckpointStore } from '../../../src/engine/train/checkpoint-store';
import { CrashHarness, type KillOutcome, sleep } from './crash-harness';
import { realDeps, tinyConfig, useBackend } from './tiny-run';

const TRIALS = Number(process.env.MULTICROP_CRASH_TRIALS ?? 10);
const h = new CrashHarness(tinyConfig({ backend: 'wasm', checkpointEvery: 3, epochs: 400 }));
beforeAll(() => h.setup());
afterAll(() => rmSync(h.root, { recursive: true, force: true }));

describe('SIGKILL mid-training', () => {
  it(`survives ${TRIALS} kills at random moments, losing at most one checkpoint interval, and continues exactly`, async () => {
    const log: KillOutcome[] = [];
    for (let t = 0; t < TRIALS; t++) {
      if (t % 2 === 0) log.push(await h.killTrial(t, 'random-time', () => sleep(h.rand() * 800)));
      else {
        log.push(
          await h.killTrial(t, 'after-metrics-row', async (run) => {
            const base = (await h.rows()).length;
            const want = 1 + Math.floor(h.rand() * 4);
            await h.waitFor(async () => (await h.rows()).length >= base + want, run.child);
          }),
        );
      }
    }
    console.log(`crash-kill-steps: ${TRIALS} kills survived; steps lost per kill: ${log.map((l) => l.lost).join(',')}`);

    // Finish cleanly two steps past the last checkpoint, then compare with an uninterrupted in-process run.
    const { checkpoint } = await new CheckpointStore(h.runDir).loadLatest();
    const target = checkpoint!.meta.step + 2;
    const fin = h.start(['--max-steps', String(target)]);
    expect(await fin.exited, fin.output()).toBe(0);
    const resumed = await h.rows();
    expect(resumed.map((r) => r.step)).toEqual(Array.from({ length: target }, (_, i) => i + 1));

    await useBackend('wasm');
    const straightDir = join(h.root, 'straight');
    await runTraining({ runDir: straightDir, dataset: h.data, images: h.images, pathOf: (e) => e.path, config: h.config, maxSteps: target }, await realDeps('wasm'));
    const straight = await readMetrics(join(straightDir, 'metrics.jsonl'));
    const same = (r: MetricRow) => [r.step, r.epoch, r.loss, r.lr, r.momentum, r.teacherEntropy, r.batchMeanEntropy, r.centerNorm];
    expect(resumed.map(same)).toEqual(straight.map(same));
  }, 240_000);
});
