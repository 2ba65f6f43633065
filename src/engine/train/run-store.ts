// Run folders: config.json, run.json (summary/state), metrics.jsonl and checkpoints/; create them and read them back.
import { promises as fsp } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { StudioConfig } from '../../shared/config-schema';
import type { BackendInfo, CollapseWarning, RunDetail, RunSummary, TrainState } from '../../shared/ipc-contract';
import { writeFileAtomic } from './atomic-folder';
import { CheckpointStore } from './checkpoint-store';
import { METRICS_FILE, readMetrics } from './metrics-log';

export const CONFIG_FILE = 'config.json';
export const RUN_FILE = 'run.json';

/** What run.json holds: the run's summary and last known state. */
export interface RunRecord {
  runId: string;
  createdAt: string;
  updatedAt: string;
  dataset: string;
  state: TrainState;
  step: number;
  epoch: number;
  totalSteps: number;
  stepsPerEpoch: number;
  lastLoss: number | null;
  arch: string;
  backend: BackendInfo | null;
  warning: CollapseWarning | null;
  error: string | null;
  pid: number;
}

const LIVE_STATES: TrainState[] = ['starting', 'running', 'pausing', 'paused', 'stopping'];

export function runIdOf(runDir: string): string {
  return basename(resolve(runDir));
}

/** A fresh run id: UTC timestamp plus an optional sanitised name. */
export function newRunId(name?: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  const clean = (name ?? '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 80);
  return clean ? `${stamp}-${clean}` : stamp;
}

export async function writeRunConfig(runDir: string, config: StudioConfig): Promise<void> {
  await writeFileAtomic(join(runDir, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
}

export async function readRunConfig(runDir: string): Promise<StudioConfig | null> {
  try {
    return JSON.parse(await fsp.readFile(join(runDir, CONFIG_FILE), 'utf8')) as StudioConfig;
  } catch {
    return null;
  }
}

export async function writeRunRecord(runDir: string, rec: RunRecord): Promise<void> {
  await writeFileAtomic(join(runDir, RUN_FILE), JSON.stringify(rec, null, 2) + '\n');
}

export async function readRunRecord(runDir: string): Promise<RunRecord | null> {
  try {
    return JSON.parse(await fsp.readFile(join(runDir, RUN_FILE), 'utf8')) as RunRecord;
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The state to show: a run recorded as live whose process is gone (a crash or kill) is 'stopped';
 * `isActive` tells whether this engine is training it right now.
 */
export function effectiveState(rec: RunRecord, isActive: boolean): TrainState {
  if (!LIVE_STATES.includes(rec.state)) return rec.state;
  if (isActive) return rec.state;
  if (rec.pid !== process.pid && pidAlive(rec.pid)) return rec.state;
  return 'stopped';
}

export async function runSummary(runDir: string, isActive = false): Promise<RunSummary | null> {
  const rec = await readRunRecord(runDir);
  if (!rec) return null;
  const checkpoints = await new CheckpointStore(runDir).list();
  return {
    runId: runIdOf(runDir),
    runDir: resolve(runDir),
    createdAt: rec.createdAt,
    dataset: rec.dataset,
    state: effectiveState(rec, isActive),
    step: rec.step,
    totalSteps: rec.totalSteps,
    lastLoss: rec.lastLoss,
    arch: rec.arch,
    checkpoints: checkpoints.length,
  };
}

/** Every run folder under `runsDir` (folders without run.json are ignored), newest first. */
export async function listRuns(runsDir: string, activeRunDir: string | null = null): Promise<RunSummary[]> {
  let names: string[];
  try {
    names = await fsp.readdir(runsDir);
  } catch {
    return [];
  }
  const out: RunSummary[] = [];
  for (const n of names) {
    const dir = join(runsDir, n);
    const s = await runSummary(dir, activeRunDir !== null && resolve(activeRunDir) === resolve(dir));
    if (s) out.push(s);
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

/** One run with its config, metrics (a truncated last line is skipped) and verified-present checkpoints. */
export async function getRun(runDir: string, isActive = false): Promise<RunDetail | null> {
  const summary = await runSummary(runDir, isActive);
  const config = await readRunConfig(runDir);
  if (!summary || !config) return null;
  return {
    summary,
    config,
    metrics: await readMetrics(join(runDir, METRICS_FILE)),
    checkpoints: await new CheckpointStore(runDir).list(),
  };
}
