// Load correctness: four WebSocket clients get every augmentation preview answered while a tiny run trains in the engine, and all see the same run's metrics (latency is reported by scripts/bench-web-load.ts, not asserted).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrainConfig, runWebLoad } from '../../scripts/bench-web-load';
import { writeTinyDataset } from '../engine/train/tiny-run';

let base: string;
beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'web-load-'));
  await writeTinyDataset(join(base, 'images'), 12, 7);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the web host under preview load while training', () => {
  it('answers every preview of 4 concurrent clients, keeps the run training, and broadcasts its metrics to every client', async () => {
    const report = await runWebLoad({
      dataDir: join(base, 'data'),
      dataset: join(base, 'images'),
      trainConfig: loadTrainConfig(),
      clients: 4,
      previewsPerClient: 6,
      from: import.meta.url,
      noBaseline: true,
    });
    console.log(`web-load: ${JSON.stringify({ underTrainingMs: report.underTrainingMs, stepsDuringLoad: report.stepsDuringLoad, seconds: report.seconds })}`);
    expect(report.errors).toEqual([]);
    expect(report.underTrainingMs?.n).toBe(24);
    expect(report.engineRestarts).toBe(0);
    expect(report.stateAfterLoad).toBe('running');
    expect(report.stepsDuringLoad, 'the run made no step while the clients loaded the host').toBeGreaterThanOrEqual(1);
    expect(report.runIdsSeen).toEqual([report.runId]);
    // every tab received the same metric rows (the host broadcasts each engine event to all sockets)
    expect(report.sameRowsEverywhere).toBe(true);
    expect(new Set(report.metricsPerClient).size).toBe(1);
    expect(report.metricsPerClient[0]).toBeGreaterThanOrEqual(report.stepsDuringLoad);
  });
});
