// Run folders read back: summaries, a run whose process died shows as stopped, a truncated last metrics line is tolerated.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RECIPE_DEFAULTS } from '../../../src/shared/config-schema';
import { MetricsLog } from '../../../src/engine/train/metrics-log';
import { type RunRecord, getRun, listRuns, newRunId, writeRunConfig, writeRunRecord } from '../../../src/engine/train/run-store';

const runsDir = mkdtempSync(join(tmpdir(), 'mc-runs-'));
afterAll(() => rmSync(runsDir, { recursive: true, force: true }));

function record(runId: string, over: Partial<RunRecord>): RunRecord {
  return {
    runId, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', dataset: '/data', state: 'stopped',
    step: 0, epoch: 0, totalSteps: 100, stepsPerEpoch: 10, lastLoss: null, arch: 'vit_tiny/16 depth 2', backend: null,
    warning: null, error: null, pid: process.pid, ...over,
  };
}

describe('run store', () => {
  it('lists runs newest first; a live state whose process is gone reads as stopped; metrics survive a torn line', async () => {
    const a = join(runsDir, 'a');
    const b = join(runsDir, 'b');
    mkdirSync(a);
    mkdirSync(b);
    mkdirSync(join(runsDir, 'not-a-run'));
    await writeRunConfig(a, RECIPE_DEFAULTS);
    await writeRunRecord(a, record('a', { state: 'finished', step: 100, lastLoss: 2.5 }));
    await writeRunConfig(b, RECIPE_DEFAULTS);
    // pid 2**22+1 is above Linux's pid_max default, so no process has it: the run was killed
    await writeRunRecord(b, record('b', { createdAt: '2026-02-01T00:00:00.000Z', state: 'running', step: 7, pid: 2 ** 22 + 1 }));
    const log = new MetricsLog(join(b, 'metrics.jsonl'));
    await log.append({ step: 1, epoch: 0, loss: 3, lr: 0, wd: 0.04, momentum: 0.996, teacherTemp: 0.04, teacherEntropy: 1, klTeacherStudent: 2, centerNorm: 0.1, batchMeanEntropy: 3, imagesPerSec: 5, loaderWaitMs: 1, stepMs: 200, rssMb: 400, numTensors: 99, time: 1 });
    await log.close();
    appendFileSync(join(b, 'metrics.jsonl'), '{"step":2,"epo');

    const list = await listRuns(runsDir);
    expect(list.map((r) => [r.runId, r.state, r.step])).toEqual([['b', 'stopped', 7], ['a', 'finished', 100]]);
    expect((await listRuns(runsDir, b))[0]!.state).toBe('running'); // the engine says it is training it
    const detail = await getRun(b);
    expect(detail!.metrics.map((m) => m.step)).toEqual([1]);
    expect(detail!.config).toEqual(RECIPE_DEFAULTS);
    expect(await getRun(join(runsDir, 'not-a-run'))).toBeNull();
  });

  it('makes run ids from the time and a sanitised name', () => {
    const id = newRunId('my run/../x', new Date('2026-03-04T05:06:07.890Z'));
    expect(id).toBe('20260304-050607Z-my-run-..-x');
    expect(id).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
  });
});
