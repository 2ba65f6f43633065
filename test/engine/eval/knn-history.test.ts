// k-NN history of a real (tiny) training run: every result kept in evaluations.jsonl, the step-0 baseline beside it, and the baseline rebuilt from config + seed equal to what training wrote at step 0.
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KnnResult } from '../../../src/shared/ipc-contract';
import { evalHandlers } from '../../../src/engine/handlers/eval-handlers';
import { modelFromInitialWeights } from '../../../src/engine/eval/initial-model';
import { EVALUATIONS_FILE } from '../../../src/engine/eval/eval-history';
import { CheckpointStore } from '../../../src/engine/train/checkpoint-store';
import { runTraining } from '../../../src/engine/train/train-loop';
import type { ImageEntry } from '../../../src/shared/ipc-contract';
import { sameBits } from '../io/make-run';
import { realDeps, tinyConfig, useBackend, writeTinyDataset } from '../train/tiny-run';
import { handlerContext } from '../../support/handler-context';

const root = mkdtempSync(join(tmpdir(), 'mc-knn-history-'));
const runsDir = join(root, 'runs');
const train = join(root, 'data', 'train');
const val = join(root, 'data', 'val');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The person opened the train and val folders (as the app does before k-NN). */
const context = () => handlerContext({ dataDir: root, runsDir, opened: [train, val] });
const knn = (source: { runId: string; checkpoint?: string }, k: number) => evalHandlers['eval:knn']!({ source, train, val, k }, context()) as Promise<KnnResult>;
const lines = (run: string) => readFileSync(join(runsDir, run, EVALUATIONS_FILE), 'utf8').trim().split('\n');

beforeAll(async () => {
  await useBackend('wasm');
  const images: ImageEntry[] = await writeTinyDataset(train, 12, 1);
  await writeTinyDataset(val, 8, 2);
  await runTraining(
    { runDir: join(runsDir, 'run-x'), dataset: train, images, pathOf: (e) => e.path, config: tinyConfig({ backend: 'wasm', seed: 7, checkpointEvery: 3 }), maxSteps: 3 },
    await realDeps('wasm'),
  );
  // A copy of the run without its step-0 checkpoint (copied or trimmed by hand).
  cpSync(join(runsDir, 'run-x'), join(runsDir, 'run-y'), { recursive: true });
  rmSync(join(runsDir, 'run-y', 'checkpoints', 'step-00000000'), { recursive: true });
}, 180_000);

describe('k-NN history and the step-0 baseline', () => {
  it('the initial weights rebuilt from config and seed are bit-identical to the step-0 checkpoint training wrote', async () => {
    const ck = await new CheckpointStore(join(runsDir, 'run-x')).load('step-00000000');
    const init = await modelFromInitialWeights(join(runsDir, 'run-x'));
    const names = Object.keys(init.backbone);
    expect(names.length).toBeGreaterThan(10);
    for (const n of names) expect(sameBits(init.backbone[n]!.data, ck.state.teacher[n]!.data), n).toBe(true);
  });

  it('keeps every evaluation and puts the step-0 result of the same folders and k beside it, computed once', async () => {
    const late = await knn({ runId: 'run-x' }, 3);
    expect(late.step).toBe(3);
    expect(late.baseline).toMatchObject({ step: 0, checkpoint: 'step-00000000', k: 3, trainDir: train, valDir: val });
    const step0 = await knn({ runId: 'run-x', checkpoint: 'step-00000000' }, 3);
    expect(late.baseline!.top1).toBe(step0.top1);
    expect(late.baseline!.perClass).toEqual(step0.perClass);
    expect(lines('run-x')).toHaveLength(3); // step 3, its baseline, the explicit step-0 evaluation
    const again = await knn({ runId: 'run-x' }, 3);
    expect(again.top1).toBe(late.top1);
    expect(lines('run-x')).toHaveLength(4); // no second baseline
    const history = await evalHandlers['eval:history']!({ runId: 'run-x' }, context());
    expect(history.records.map((r) => [r.step, r.k])).toEqual([[3, 3], [0, 3], [0, 3], [3, 3]]);
    expect(history.records[0]!.perClass.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('without a step-0 checkpoint the baseline comes from the initial weights and equals the step-0 checkpoint result', async () => {
    const fromCheckpoint = await knn({ runId: 'run-x', checkpoint: 'step-00000000' }, 2);
    const late = await knn({ runId: 'run-y' }, 2);
    expect(late.baseline).toMatchObject({ step: 0, checkpoint: 'initial weights', k: 2 });
    expect(late.baseline!.top1).toBe(fromCheckpoint.top1);
    expect(late.baseline!.perClass).toEqual(fromCheckpoint.perClass);
  });

  it('reads past a cut-short last line, and names a run that does not exist', async () => {
    appendFileSync(join(runsDir, 'run-x', EVALUATIONS_FILE), '{"time":1,"step":9,"top1":0.');
    const history = await evalHandlers['eval:history']!({ runId: 'run-x' }, context());
    expect(history.records.every((r) => r.step !== 9)).toBe(true);
    await expect(evalHandlers['eval:history']!({ runId: 'nope' }, context())).rejects.toThrow(/run nope does not exist/);
  });
});
