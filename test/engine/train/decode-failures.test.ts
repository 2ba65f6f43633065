// Images that stop decoding during training: each file reported once (run log, log event, metrics-row count), a bounded list, and a run with too many stops with a clear message.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DecodeFailures, LISTED_FAILURES, maxDecodeFailures } from '../../../src/engine/loader/decode-failures';
import type { MetricRow, TrainStatus } from '../../../src/shared/ipc-contract';
import { engineOnData } from '../../support/engine-on-data';
import { until } from '../../support/until';
import { tinyConfig, writeTinyDataset } from './tiny-run';

// 40 images: more than 2 (5 %) unreadable stops the run. Batch 4: 10 steps an epoch, every image read each epoch.
let images: string[] = [];
const { data, events, call } = engineOnData('mc-decode-fail-', async (dir) => {
  images = (await writeTinyDataset(dir, 40, 3)).map((i) => i.path);
});
const config = tinyConfig({ backend: 'wasm', epochs: 1000, checkpointEvery: 5 });
const warnings = () => events.filter((e) => e.event === 'log' && (e.payload as { level: string }).level === 'warn').map((e) => (e.payload as { message: string }).message);
const rows = () => events.filter((e) => e.event === 'train:metrics').map((e) => (e.payload as { row: MetricRow }).row);
const lastStatus = () => events.filter((e) => e.event === 'train:status').map((e) => e.payload as TrainStatus).at(-1);

describe('DecodeFailures', () => {
  it('records each file once, keeps a bounded list with reasons, and hands out new ones once', () => {
    const d = new DecodeFailures();
    for (let i = 0; i < 10_000; i++) d.record(`/x/${i % 5000}.jpg`, i % 2 ? 'Input file is missing: /x' : 'Input file contains unsupported image format');
    expect(d.count).toBe(5000);
    expect(d.listed).toHaveLength(LISTED_FAILURES);
    expect(d.listed[0]).toEqual({ path: '/x/0.jpg', reason: expect.stringMatching(/not a readable image/) });
    expect(d.listed[1]!.reason).toMatch(/the file is gone/);
    const first = d.takeNew();
    expect(first.failures).toHaveLength(LISTED_FAILURES);
    expect(first.more).toBe(5000 - LISTED_FAILURES);
    expect(d.takeNew()).toEqual({ failures: [], more: 0 });
    d.record('/x/1.jpg', 'again');
    expect(d.takeNew().failures).toEqual([]);
    expect(maxDecodeFailures(40)).toBe(2);
    expect(maxDecodeFailures(3)).toBe(1);
  });
});

describe('a run whose images stop decoding', () => {
  it('reports one unreadable file once (run log, log event, metrics count) and keeps training; more than 5 % stops it with a clear message', async () => {
    const st = await call<TrainStatus>('train:start', { dataset: data, config, name: 'decode' });
    await until(() => rows().length >= 1, 'a first step', 120_000);
    writeFileSync(images[7]!, 'this is not an image any more');
    // Two epochs later the file has been read (and failed) at least twice.
    const seenAt = rows().length;
    await until(() => rows().length >= seenAt + 25, 'two more epochs', 120_000);
    const about = warnings().filter((w) => w.includes(images[7]!));
    expect(about, warnings().join('\n')).toHaveLength(1);
    expect(about[0]).toMatch(/could not read .* during training: it is not a readable image any more/);
    expect(rows().at(-1)!.decodeFailures).toBe(1);
    expect(lastStatus()!.state).toBe('running');
    const runLog = readFileSync(join(st.runDir, 'run.log'), 'utf8');
    expect(runLog.split('\n').filter((l) => l.includes(images[7]!))).toHaveLength(1);

    // Two more break: 3 of 40 > 2 allowed.
    for (const i of [11, 23]) rmSync(images[i]!);
    await until(() => ['failed', 'stopped'].includes(lastStatus()?.state ?? ''), 'the run to stop', 120_000);
    const end = lastStatus()!;
    expect(end.state).toBe('failed');
    expect(end.error).toMatch(/training stopped before step \d+: 3 of the 40 images could not be read \(more than 2 allowed\)/);
    expect(end.error).toMatch(/rescan it on the Dataset screen and resume/);
    expect(warnings().filter((w) => w.includes(images[11]!) || w.includes(images[23]!))).toHaveLength(2);
    expect(warnings().find((w) => w.includes(images[23]!)) ?? warnings().find((w) => w.includes(images[11]!))).toMatch(/the file is gone/);
    expect(existsSync(join(st.runDir, 'checkpoints'))).toBe(true);
  });
});
