// The train channels through the real engine dispatcher: start, busy, pause, resume, stop, status, runs:list/get, resume a stopped run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MetricRow, RunDetail, RunSummary, SchedulePreview, TrainStatus } from '../../../src/shared/ipc-contract';
import { scheduleAt } from '../../../src/engine/train/schedules';
import { engineOnData } from '../../support/engine-on-data';
import { sleep, until } from '../../support/until';
import { tinyConfig, writeTinyDataset } from './tiny-run';

const { data, events, call, fail } = engineOnData('mc-handlers-', (dir) => writeTinyDataset(dir, 12));
const config = tinyConfig({ backend: 'wasm', epochs: 50, checkpointEvery: 5 });

const statesSince = (from: number, runId: string) =>
  events.slice(from).filter((e) => e.event === 'train:status' && (e.payload as TrainStatus).runId === runId).map((e) => (e.payload as TrainStatus).state);
const lastState = (runId: string) => statesSince(0, runId).at(-1);
const metricRows = () => events.filter((e) => e.event === 'train:metrics').map((e) => (e.payload as { row: MetricRow }).row);
describe('train handlers', () => {
  it('validates configs and previews schedules from the same functions the loop uses', async () => {
    const bad = await call<{ ok: false; errors: string[] }>('config:validate', { config: { ...config, localSize: 64, globalSize: 32 } });
    expect(bad.ok).toBe(false);
    expect(bad.errors.join('\n')).toMatch(/localSize: local crop size \(64 px\) is larger than the global crop size \(32 px\); make it 32 px or smaller/);
    const good = await call<{ ok: true }>('config:validate', { config });
    expect(good.ok).toBe(true);
    const p = await call<SchedulePreview>('schedules:preview', { config, datasetSize: 12, points: 10 });
    expect(p.stepsPerEpoch).toBe(3);
    expect(p.totalSteps).toBe(150);
    expect(p.every).toBe(15);
    expect(p.lr[2]).toBe(scheduleAt(config, 3, 30).lr);
    expect((await fail('schedules:preview', { config, datasetSize: 3, points: 10 })).message).toMatch(/the batch \(4 images\) is larger than the dataset \(3 usable images\); lower the batch size to 3 or less/);
  });

  it('runs one training at a time, pauses between steps, resumes, stops with a checkpoint and lists the run', async () => {
    const st = await call<TrainStatus>('train:start', { dataset: data, config, name: 'first' });
    expect(['running', 'paused']).toContain(st.state);
    expect(st.runId).toMatch(/first$/);
    expect(st.backend?.name).toBe('wasm');
    const busy = await fail('train:start', { dataset: data, config });
    expect(busy.code).toBe('busy');
    expect(busy.message).toContain(st.runId);

    await until(() => metricRows().length >= 2, 'two steps');
    await call<TrainStatus>('train:pause', { runId: st.runId });
    await until(async () => (await call<TrainStatus | null>('train:status', {}))!.state === 'paused', 'paused state');
    const atPause = metricRows().length;
    await sleep(1500);
    expect(metricRows().length).toBe(atPause); // no step while paused
    await call<TrainStatus>('train:resume', { runId: st.runId });
    await until(() => metricRows().length >= atPause + 2, 'steps after resume');

    const stopped = await call<TrainStatus>('train:stop', { runId: st.runId });
    expect(stopped.state).toBe('stopped');
    const rows = metricRows();
    expect(rows.map((r) => r.step)).toEqual(rows.map((_, i) => i + 1));
    expect(stopped.step).toBe(rows.length);
    const ckpt = join(st.runDir, 'checkpoints', `step-${String(stopped.step).padStart(8, '0')}`, 'manifest.json');
    expect(existsSync(ckpt)).toBe(true);

    const status = await call<TrainStatus | null>('train:status', {});
    expect(status?.runId).toBe(st.runId); // a UI that reattaches sees the last run
    const list = await call<RunSummary[]>('runs:list', {});
    expect(list.map((r) => [r.runId, r.state, r.step])).toEqual([[st.runId, 'stopped', stopped.step]]);
    const detail = await call<RunDetail>('runs:get', { runId: st.runId });
    expect(detail.metrics.map((m) => m.loss)).toEqual(rows.map((r) => r.loss));
    expect(detail.config).toEqual(config);
    expect(detail.checkpoints[0]!.step).toBe(stopped.step);
    expect(events.some((e) => e.event === 'train:status' && (e.payload as TrainStatus).etaSeconds !== null)).toBe(true);

    // train:resume on a stopped run continues it from its checkpoint
    const again = await call<TrainStatus>('train:resume', { runId: st.runId });
    expect(again.runId).toBe(st.runId);
    await until(() => metricRows().length >= rows.length + 1, 'a step after resuming the stopped run');
    const end = await call<TrainStatus>('train:stop', { runId: st.runId });
    expect(end.state).toBe('stopped');
    const all = (await call<RunDetail>('runs:get', { runId: st.runId })).metrics.map((m) => m.step);
    expect(all).toEqual(all.map((_, i) => i + 1));
    expect(all.length).toBe(end.step);
  });

  it('one source of truth for the run state: pause answers what the loop reported, then pausing -> paused with no running in between', async () => {
    const st = await call<TrainStatus>('train:start', { dataset: data, config, name: 'pause-truth' });
    await until(() => metricRows().filter((r) => r.step >= 1).length >= 1 && lastState(st.runId) === 'running', 'a running step');
    const mark = events.length;
    const answer = await call<TrainStatus>('train:pause', { runId: st.runId });
    // The answer is the loop's own latest status, not a state the loop has not reached ('paused' while a step is in flight).
    const reported = events.slice(0, mark).filter((e) => e.event === 'train:status' && (e.payload as TrainStatus).runId === st.runId).map((e) => (e.payload as TrainStatus).state);
    expect(answer.state, `answered ${answer.state}; the loop had reported ${reported.at(-1)}`).toBe(reported.at(-1));
    await until(() => lastState(st.runId) === 'paused', 'paused at the gate');
    const seen = [answer.state, ...statesSince(mark, st.runId)];
    const firstPause = seen.findIndex((x) => x === 'pausing' || x === 'paused');
    expect(firstPause, `states after pause: ${seen.join(' -> ')}`).toBeGreaterThanOrEqual(0);
    expect(seen.slice(firstPause), `states after pause: ${seen.join(' -> ')}`).not.toContain('running');
    expect(seen.at(-1)).toBe('paused');
    const stopped = await call<TrainStatus>('train:stop', { runId: st.runId });
    expect(stopped.state).toBe('stopped');
  });

  it('a stop sent while a stopped run is being resumed stops the resumed run (a second window, a reload)', async () => {
    const st = await call<TrainStatus>('train:start', { dataset: data, config, name: 'stop-in-resume' });
    await until(() => lastState(st.runId) === 'running', 'running');
    const first = await call<TrainStatus>('train:stop', { runId: st.runId });
    // Not awaited: the stop reaches the engine while the resume still reads the run's record and config.
    const resumed = call<TrainStatus>('train:resume', { runId: st.runId });
    const stopped = await call<TrainStatus>('train:stop', { runId: st.runId });
    expect((await resumed).runId).toBe(st.runId);
    expect(stopped.state).toBe('stopped');
    const status = (await call<TrainStatus | null>('train:status', {}))!;
    expect(status.state).toBe('stopped');
    expect(status.step).toBe(stopped.step);
    expect(stopped.step).toBeGreaterThanOrEqual(first.step);
    const rows = metricRows().length;
    await sleep(1500);
    expect(metricRows().length, 'no step after the stop').toBe(rows);

    // A start in that window is refused, naming the run being resumed.
    const again = call<TrainStatus>('train:resume', { runId: st.runId });
    const busy = await fail('train:start', { dataset: data, config });
    expect(busy.code).toBe('busy');
    expect(busy.message).toContain(`run ${st.runId} is being resumed`);
    await again;
    expect((await call<TrainStatus>('train:stop', { runId: st.runId })).state).toBe('stopped');
  });

  it('refuses a batch larger than the dataset with a clear message', async () => {
    const e = await fail('train:start', { dataset: data, config: { ...config, batchSize: 16 } });
    expect(e.code).toBe('bad_input');
    expect(e.message).toMatch(/batchSize.*16 images.*only 12 usable images/);
    expect(await call<RunSummary[]>('runs:list', {})).toHaveLength(3); // no run folder for a refused start (three runs above)
  });
});
