// metrics.jsonl: durable appends, tolerant reads of a crash-truncated last line, and the cut-back on resume.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricRow } from '../../../src/shared/ipc-contract';
import { MetricsLog, parseMetrics, readMetrics } from '../../../src/engine/train/metrics-log';

const dir = mkdtempSync(join(tmpdir(), 'mc-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function row(step: number, loss: number): MetricRow {
  return {
    step, epoch: 0, loss, lr: 1e-4, wd: 0.04, momentum: 0.996, teacherTemp: 0.04, teacherEntropy: 1, klTeacherStudent: 0.5,
    centerNorm: 0.1, batchMeanEntropy: 3, imagesPerSec: 10, loaderWaitMs: 1, stepMs: 100, rssMb: 300, numTensors: 50, time: 1,
  };
}

describe('MetricsLog', () => {
  it('appends rows, survives a truncated last line and cuts back to a checkpoint step', async () => {
    const path = join(dir, 'metrics.jsonl');
    const log = new MetricsLog(path);
    for (let s = 1; s <= 7; s++) await log.append(row(s, 10 - s));
    await log.close();
    appendFileSync(path, '{"step":8,"epoch":0,"loss":2.5,"lr"'); // a write cut short by SIGKILL
    const read = await readMetrics(path);
    expect(read.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(read[6]!.loss).toBe(3);

    const kept = await log.truncateAfter(5);
    expect(kept.map((r) => r.step)).toEqual([1, 2, 3, 4, 5]);
    await log.append(row(6, 42));
    await log.close();
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(parseMetrics(text).map((r) => [r.step, r.loss])).toEqual([[1, 9], [2, 8], [3, 7], [4, 6], [5, 5], [6, 42]]);
  });

  it('writes a NaN loss as null so the line stays JSON (and is not taken for a row)', async () => {
    const path = join(dir, 'nan.jsonl');
    const log = new MetricsLog(path);
    await log.append(row(1, 1.5));
    await log.append(row(2, Number.NaN));
    await log.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!).loss).toBeNull();
    expect((await readMetrics(path)).map((r) => r.step)).toEqual([1]);
  });

  it('reads a missing file as no rows', async () => {
    expect(await readMetrics(join(dir, 'absent.jsonl'))).toEqual([]);
  });
});
