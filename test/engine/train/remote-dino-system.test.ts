// The engine's remote trainer (RemoteDinoSystem over a MessagePort) against the real compute-window trainer in a worker thread (tfjs cpu backend): steps equal the in-process system, checkpoint and resume continue with the same losses, a lost window fails the run clearly with its last checkpoint kept.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageEntry, MetricRow } from '../../../src/shared/ipc-contract';
import { assembleRun } from '../../../src/engine/train/assemble-run';
import { ComputeClient } from '../../../src/engine/train/compute-client';
import { createDinoSystem } from '../../../src/engine/train/dino-system';
import { readMetrics } from '../../../src/engine/train/metrics-log';
import { RemoteDinoSystem } from '../../../src/engine/train/remote-dino-system';
import type { DinoState, NamedTensors } from '../../../src/engine/train/step-types';
import { COMPUTE_CFG, COMPUTE_SEED, COMPUTE_STEPS, computeBatch, computeSched } from '../../support/compute-steps';
import { startComputeThread, type ComputeThread } from '../../support/compute-thread-host';
import { tinyConfig, useBackend, writeTinyDataset } from './tiny-run';

const root = mkdtempSync(join(tmpdir(), 'mc-remote-'));
const data = join(root, 'data');
let images: ImageEntry[] = [];
let thread: ComputeThread;
let client: ComputeClient;
beforeAll(async () => {
  await useBackend('cpu');
  images = await writeTinyDataset(data, 12);
  thread = startComputeThread();
  client = new ComputeClient(thread.port);
});
afterAll(async () => {
  client.close();
  await thread.worker.terminate();
  rmSync(root, { recursive: true, force: true });
});

function maxStateDiff(a: DinoState, b: DinoState): { d: number; at: string } {
  let worst = { d: 0, at: '' };
  const parts: [string, NamedTensors, NamedTensors][] = [
    ['student', a.student, b.student],
    ['teacher', a.teacher, b.teacher],
    ['optimizer', a.optimizer, b.optimizer],
    ['center', { center: a.center }, { center: b.center }],
  ];
  for (const [part, x, y] of parts) {
    expect(Object.keys(y).sort(), part).toEqual(Object.keys(x).sort());
    for (const [k, t] of Object.entries(x)) {
      const u = y[k]!;
      expect(u.shape, `${part}.${k}`).toEqual(t.shape);
      for (let i = 0; i < t.data.length; i++) {
        const d = Math.abs(t.data[i]! - u.data[i]!);
        if (!(d <= worst.d)) worst = { d, at: `${part}.${k}[${i}]` };
      }
    }
  }
  return worst;
}

const SAME: (keyof MetricRow)[] = ['step', 'epoch', 'loss', 'lr', 'wd', 'momentum', 'teacherTemp', 'teacherEntropy', 'klTeacherStudent', 'centerNorm', 'batchMeanEntropy'];
const pick = (rows: MetricRow[]) => rows.map((r) => SAME.map((k) => r[k]));

describe('RemoteDinoSystem over a MessagePort to the compute trainer', () => {
  it(`${COMPUTE_STEPS} steps equal the in-process system within 1e-4 (loss, student, teacher, AdamW moments, center)`, async () => {
    const local = createDinoSystem(COMPUTE_CFG, { seed: COMPUTE_SEED, attention: 'batched' });
    const remote = await RemoteDinoSystem.create(client, COMPUTE_CFG, { seed: COMPUTE_SEED, backend: 'cpu', attention: 'batched' });
    expect(remote.backend.name).toBe('cpu');
    for (let s = 0; s < COMPUTE_STEPS; s++) {
      const a = await local.step([computeBatch(s)], computeSched(s));
      const b = await remote.step([computeBatch(s)], computeSched(s));
      for (const k of Object.keys(a) as (keyof typeof a)[]) expect(Math.abs(b[k] - a[k]), `${k} of step ${s + 1}`).toBeLessThan(1e-4);
    }
    const worst = maxStateDiff(await local.readState(), await remote.readState());
    expect(worst.d, `largest difference at ${worst.at}`).toBeLessThan(1e-4);
    // setState then a step: the window trains from the state it was given (what resume does).
    const start = await local.readState();
    remote.setState(start);
    const a = await local.step([computeBatch(7)], computeSched(7));
    const b = await remote.step([computeBatch(7)], computeSched(7));
    expect(Math.abs(b.loss - a.loss)).toBeLessThan(1e-4);
    local.dispose();
    await remote.dispose();
  });

  it('a run through it checkpoints and resumes with the losses of an uninterrupted one, and of the in-process system', async () => {
    const train = async (runDir: string, maxSteps: number, resume: boolean, remote: boolean) => {
      const run = await assembleRun(tinyConfig(), remote ? { backend: 'cpu', compute: client, computeBackend: 'cpu' } : { backend: 'cpu', replicas: 1 });
      if (remote) expect(run.layout.backend.reason).toMatch(/in the compute window/);
      expect(run.layout.replicas).toBe(1);
      return run.train({ runDir, dataset: data, images, maxSteps, resume, onlineEval: async () => null });
    };
    const straight = join(root, 'straight');
    expect((await train(straight, 4, false, true)).status.step).toBe(4);
    const pieces = join(root, 'pieces');
    expect((await train(pieces, 2, false, true)).status.step).toBe(2);
    expect((await train(pieces, 4, true, true)).status.step).toBe(4);
    const here = join(root, 'in-process');
    await train(here, 4, false, false);

    const a = await readMetrics(join(straight, 'metrics.jsonl'));
    const b = await readMetrics(join(pieces, 'metrics.jsonl'));
    const c = await readMetrics(join(here, 'metrics.jsonl'));
    expect(a.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(pick(b)).toEqual(pick(a));
    for (let i = 0; i < 4; i++) expect(Math.abs(c[i]!.loss - a[i]!.loss), `loss of step ${i + 1}`).toBeLessThan(1e-4);
    expect(new Set(a.map((r) => r.loss)).size).toBeGreaterThan(2);
    expect(readdirSync(join(pieces, 'checkpoints')).sort()).toEqual(['step-00000000', 'step-00000002', 'step-00000003', 'step-00000004']);
  });

  it('a compute window that dies mid-run fails the run with what happened and what to do; its last checkpoint resumes on the cpu backend', async () => {
    const doomed = startComputeThread();
    const lost = new ComputeClient(doomed.port);
    const runDir = join(root, 'lost');
    const run = await assembleRun(tinyConfig(), { backend: 'cpu', compute: lost, computeBackend: 'cpu' });
    const outcome = run.train({
      runDir,
      dataset: data,
      images,
      maxSteps: 6,
      onlineEval: async () => null,
      events: { metrics: (row) => void (row.step === 4 ? doomed.worker.terminate() : undefined) },
    });
    await expect(outcome).rejects.toThrow(/compute window that trains on WebGPU stopped .*choose the cpu or wasm backend.*last good checkpoint: step-00000003/s);
    expect(readdirSync(join(runDir, 'checkpoints')).sort()).toEqual(['step-00000000', 'step-00000003']);
    const again = await assembleRun(tinyConfig(), { backend: 'cpu', replicas: 1 });
    const resumed = await again.train({ runDir, dataset: data, images, maxSteps: 5, resume: true, onlineEval: async () => null });
    expect(resumed.status.step).toBe(5);
    const rows = await readMetrics(join(runDir, 'metrics.jsonl'));
    expect(rows.map((r) => r.step)).toEqual([1, 2, 3, 4, 5]);
    const straight = await readMetrics(join(root, 'straight', 'metrics.jsonl'));
    for (let i = 0; i < 4; i++) expect(Math.abs(rows[i]!.loss - straight[i]!.loss), `loss of step ${i + 1}`).toBeLessThan(1e-4);
  });
});
