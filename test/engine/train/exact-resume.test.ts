// Exact resume: a run stopped at step k and resumed to n logs the same metrics as an uninterrupted run to n (cpu and wasm backends).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageEntry, MetricRow } from '../../../src/shared/ipc-contract';
import { readMetrics } from '../../../src/engine/train/metrics-log';
import { runTraining } from '../../../src/engine/train/train-loop';
import { realDeps, tinyConfig, useBackend, writeTinyDataset } from './tiny-run';

const root = mkdtempSync(join(tmpdir(), 'mc-resume-'));
const data = join(root, 'data');
let images: ImageEntry[] = [];
beforeAll(async () => {
  images = await writeTinyDataset(data, 12);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SAME: (keyof MetricRow)[] = ['step', 'epoch', 'loss', 'lr', 'wd', 'momentum', 'teacherTemp', 'teacherEntropy', 'klTeacherStudent', 'centerNorm', 'batchMeanEntropy'];
const pick = (rows: MetricRow[]) => rows.map((r) => SAME.map((k) => r[k]));

async function train(runDir: string, maxSteps: number, resume: boolean) {
  return runTraining({ runDir, dataset: data, images, pathOf: (e) => e.path, config: tinyConfig(), maxSteps, resume }, await realDeps(backendInUse));
}

// The pure-JS cpu backend is slow (about 1 s per tiny step on 2 cores): fewer steps there.
const CASES = [
  { backend: 'wasm' as const, stops: [4, 7, 10], kept: ['step-00000000', 'step-00000007', 'step-00000009', 'step-00000010'] },
  { backend: 'cpu' as const, stops: [2, 3], kept: ['step-00000000', 'step-00000002', 'step-00000003'] },
];

let backendInUse: 'cpu' | 'wasm' = 'wasm';

describe.each(CASES)('exact resume on the $backend backend', ({ backend, stops, kept }) => {
  beforeAll(async () => {
    await useBackend(backend);
    backendInUse = backend;
  });
  const n = stops[stops.length - 1]!;
  it(`stop at ${stops.slice(0, -1).join(', then ')} and resume each time to ${n} == straight to ${n}`, async () => {
    const straight = join(root, `straight-${backend}`);
    const out = await train(straight, n, false);
    expect(out.status.state).toBe('stopped');
    expect(out.status.step).toBe(n);

    const pieces = join(root, `pieces-${backend}`);
    for (const [i, k] of stops.entries()) expect((await train(pieces, k, i > 0)).status.step).toBe(k);

    const a = await readMetrics(join(straight, 'metrics.jsonl'));
    const b = await readMetrics(join(pieces, 'metrics.jsonl'));
    expect(a.map((r) => r.step)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(pick(b)).toEqual(pick(a));
    // the loss moved: the model is really training (not a constant)
    expect(new Set(a.map((r) => r.loss)).size).toBeGreaterThan(n / 2);
    expect(readdirSync(join(pieces, 'checkpoints')).sort()).toEqual(kept);
  });
});

describe('resume checks', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    backendInUse = 'wasm';
  });

  it('refuses to resume on a changed dataset, naming the change and the override', async () => {
    const runDir = join(root, 'changed');
    await train(runDir, 2, false);
    const fewer = images.slice(0, 11);
    await expect(
      runTraining({ runDir, dataset: data, images: fewer, pathOf: (e) => e.path, config: tinyConfig(), maxSteps: 3, resume: true }, await realDeps('wasm')),
    ).rejects.toThrow(/dataset changed.*12 files.*11 files.*--allow-dataset-change/s);
  });
});
