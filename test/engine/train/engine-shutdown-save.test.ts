// SIGTERM to the engine process while it trains: the run finishes its step, saves a final checkpoint at the last logged step, and the process exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngineClient } from '../../../src/engine/engine-client-node';
import { CheckpointStore } from '../../../src/engine/train/checkpoint-store';
import { METRICS_FILE, readMetrics } from '../../../src/engine/train/metrics-log';
import { readRunRecord } from '../../../src/engine/train/run-store';
import type { MetricRow, TrainStatus } from '../../../src/shared/ipc-contract';
import { until } from '../../support/until';
import { tinyConfig, writeTinyDataset } from './tiny-run';

const root = mkdtempSync(join(tmpdir(), 'mc-shutdown-'));
const data = join(root, 'data');
// Periodic checkpoints far apart: any checkpoint past step 0 can only come from the shutdown save.
const config = tinyConfig({ backend: 'wasm', epochs: 500, checkpointEvery: 10_000 });
const client = createNodeEngineClient({ dataDir: join(root, 'appdata') });

beforeAll(async () => {
  await writeTinyDataset(data, 12);
  const opened = await client.call('folders:open', { path: data });
  if (!opened.ok) throw new Error(`folders:open: ${opened.error.message}`);
});
afterAll(async () => {
  await client.dispose();
  rmSync(root, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('engine shutdown while training', () => {
  it('saves a checkpoint at the last metrics step and exits on SIGTERM', async () => {
    const rows: MetricRow[] = [];
    client.onEvent((event, payload) => {
      if (event === 'train:metrics') rows.push((payload as { row: MetricRow }).row);
    });
    const started = await client.call('train:start', { dataset: data, config, name: 'shutdown' });
    if (!started.ok) throw new Error(`train:start: ${started.error.message}`);
    const st = started.value as TrainStatus;
    await until(() => rows.length >= 3, 'three training steps', 60_000, 50);
    const rec = await readRunRecord(st.runDir);
    const pid = rec!.pid!;
    expect(alive(pid)).toBe(true);

    client.killEngine(); // SIGTERM
    await until(() => !alive(pid), 'the engine process to exit', 40_000, 50);

    const metrics = await readMetrics(join(st.runDir, METRICS_FILE));
    const last = metrics.at(-1)!.step;
    expect(last).toBeGreaterThanOrEqual(3);
    expect(metrics.map((m) => m.step)).toEqual(metrics.map((_, i) => i + 1));
    const names = await new CheckpointStore(st.runDir).names();
    expect(names[0]).toBe(`step-${String(last).padStart(8, '0')}`);
    const { checkpoint } = await new CheckpointStore(st.runDir).loadLatest();
    expect(checkpoint!.meta.step).toBe(last);
    expect((await readRunRecord(st.runDir))!.state).toBe('stopped');
  });
});
