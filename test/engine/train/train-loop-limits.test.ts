// Loop limits and failures: --max-steps 0 writes the step-0 checkpoint, NaN stops with the last good checkpoint, NaN starting weights stop before step 1, ENOSPC mid-run, the time limit.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageEntry, TrainStatus } from '../../../src/shared/ipc-contract';
import { durableWrite } from '../../../src/engine/train/atomic-folder';
import { CheckpointStore } from '../../../src/engine/train/checkpoint-store';
import { readMetrics } from '../../../src/engine/train/metrics-log';
import { readRunRecord } from '../../../src/engine/train/run-store';
import { runTraining, type TrainRunOptions } from '../../../src/engine/train/train-loop';
import { createDinoSystem } from '../../../src/engine/train/dino-system';
import { StudioFailure } from '../../../src/engine/studio-failure';
import { realDeps, tinyConfig, useBackend, writeTinyDataset } from './tiny-run';

const root = mkdtempSync(join(tmpdir(), 'mc-limits-'));
const data = join(root, 'data');
let images: ImageEntry[] = [];
beforeAll(async () => {
  await useBackend('wasm');
  images = await writeTinyDataset(data, 12);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const opts = (name: string, over: Partial<TrainRunOptions<ImageEntry>> = {}): TrainRunOptions<ImageEntry> => ({
  runDir: join(root, name),
  dataset: data,
  images,
  pathOf: (e) => e.path,
  config: tinyConfig({ backend: 'wasm' }),
  ...over,
});

describe('training loop limits', () => {
  it('--max-steps 0 writes only the initial checkpoint (the network at initialisation)', async () => {
    const out = await runTraining(opts('zero', { maxSteps: 0 }), await realDeps('wasm'));
    expect(out.status.state).toBe('stopped');
    expect(out.status.step).toBe(0);
    expect(readdirSync(join(root, 'zero', 'checkpoints'))).toEqual(['step-00000000']);
    expect(await readMetrics(join(root, 'zero', 'metrics.jsonl'))).toEqual([]);
    const { checkpoint } = await new CheckpointStore(join(root, 'zero')).loadLatest();
    expect(checkpoint!.state.optimizerStep).toBe(0);
    expect(checkpoint!.meta.loaderPosition).toEqual({ epoch: 0, index: 0 });
  });

  it('a non-finite loss stops the run, says why and keeps the last good checkpoint', async () => {
    // lr 1e36 without warmup: the first update blows the weights up, the next loss is not finite
    const config = tinyConfig({ backend: 'wasm', lr: 1e36, warmupEpochs: 0, clipGrad: 0, checkpointEvery: 1, freezeLastLayer: 0 });
    const statuses: TrainStatus[] = [];
    const err = await runTraining(opts('nan', { config, maxSteps: 6, events: { status: (s) => statuses.push(s) } }), await realDeps('wasm')).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/the DINO loss is (NaN|Infinity|-Infinity)/);
    expect((err as Error).message).toMatch(/last good checkpoint/);
    const rec = await readRunRecord(join(root, 'nan'));
    expect(rec!.state).toBe('failed');
    expect(statuses.at(-1)!.state).toBe('failed');
    const rows = await readMetrics(join(root, 'nan', 'metrics.jsonl'));
    const { checkpoint, problems } = await new CheckpointStore(join(root, 'nan')).loadLatest();
    expect(problems).toEqual([]);
    // the kept checkpoint is at most the last step with a finite loss, and every tensor in it is finite
    expect(checkpoint!.meta.step).toBeLessThanOrEqual(rows.length);
    expect((err as Error).message).toContain(checkpoint!.name);
    const st = checkpoint!.state;
    for (const t of [...Object.values(st.student), ...Object.values(st.teacher), ...Object.values(st.optimizer), st.center]) {
      expect(t.data.every(Number.isFinite)).toBe(true);
    }
  });

  it('starting weights holding NaN (a damaged imported file) stop the run before any step or checkpoint, naming the tensor', async () => {
    const config = tinyConfig({ backend: 'wasm' });
    const sys = createDinoSystem(config, { seed: 1 });
    const initial = sys.getState().student;
    sys.dispose();
    initial['blocks.0.attn.qkv.bias']!.data[5] = Number.NaN;
    const err = await runTraining(opts('nan-init', { config, maxSteps: 3, initial }), await realDeps('wasm')).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(StudioFailure);
    expect((err as StudioFailure).code).toBe('bad_input');
    expect((err as Error).message).toMatch(/^the starting weights hold NaN or Infinity \(student tensor blocks\.0\.attn\.qkv\.bias\); nothing was trained or saved\. If they came from an imported weights file/);
    expect((await readRunRecord(join(root, 'nan-init')))!.state).toBe('failed');
    expect(await readMetrics(join(root, 'nan-init', 'metrics.jsonl'))).toEqual([]);
    const { checkpoint } = await new CheckpointStore(join(root, 'nan-init')).loadLatest();
    expect(checkpoint).toBeNull();
  });

  it('a full disk during a periodic save is reported, training goes on, and the previous checkpoint stays valid', async () => {
    let failNext = false;
    const write = async (path: string, data: Uint8Array) => {
      if (failNext && path.endsWith('teacher.safetensors')) {
        failNext = false;
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      await durableWrite(path, data);
    };
    const logs: string[] = [];
    const statuses: TrainStatus[] = [];
    const out = await runTraining(
      opts('full', {
        config: tinyConfig({ backend: 'wasm', checkpointEvery: 2 }),
        maxSteps: 6,
        write,
        events: {
          log: (level, m) => logs.push(`${level}: ${m}`),
          status: (s) => statuses.push(s),
          metrics: (row) => (failNext = row.step === 4),
        },
      }),
      await realDeps('wasm'),
    );
    expect(logs.join('\n')).toMatch(/error: could not save checkpoint step-00000004 .*disk is full \(ENOSPC\).*previous checkpoint is unchanged.*Last valid checkpoint: step-00000002/);
    expect(statuses.some((s) => s.error?.includes('ENOSPC'))).toBe(true);
    expect(out.status.state).toBe('stopped');
    expect(out.status.step).toBe(6);
    expect(out.status.error).toBeNull(); // the step-6 save succeeded
    expect(readdirSync(join(root, 'full', 'checkpoints')).sort()).toEqual(['step-00000000', 'step-00000002', 'step-00000006']);
    const { checkpoint, problems } = await new CheckpointStore(join(root, 'full')).loadLatest();
    expect([checkpoint!.meta.step, problems]).toEqual([6, []]);
  });

  it('--max-minutes stops with a checkpoint', async () => {
    const short = await runTraining(opts('minutes', { maxMinutes: 0.0005 }), await realDeps('wasm'));
    expect(short.status.state).toBe('stopped');
    expect(short.status.step).toBeLessThan(short.status.totalSteps);
    expect(short.lastCheckpoint).toBe(`step-${String(short.status.step).padStart(8, '0')}`);
  });
});
