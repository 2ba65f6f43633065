// Test support for the crash-safety suites: run `multicrop train` as a child process, SIGKILL it on a trigger, check what survived.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { StudioConfig } from '../../../src/shared/config-schema';
import type { ImageEntry, MetricRow } from '../../../src/shared/ipc-contract';
import { scanDataset } from '../../../src/engine/dataset/scan-dataset';
import { CheckpointStore } from '../../../src/engine/train/checkpoint-store';
import { readMetrics } from '../../../src/engine/train/metrics-log';
import { REPO_ROOT } from '../../support/shared-fixtures';
import { writeTinyDataset } from './tiny-run';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface TrainChild {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

export interface KillOutcome {
  mode: string;
  lastRow: number;
  checkpoint: number;
  lost: number;
}

export class CrashHarness {
  readonly root = mkdtempSync(join(tmpdir(), 'mc-crash-'));
  readonly data = join(this.root, 'data');
  readonly runDir = join(this.root, 'run');
  readonly cfgFile = join(this.root, 'config.json');
  /** The dataset in scan order (what the CLI trains on). */
  images: ImageEntry[] = [];
  private seed = 12345;

  constructor(readonly config: StudioConfig) {}

  async setup(): Promise<void> {
    await writeTinyDataset(this.data, 12);
    this.images = (await scanDataset(this.data)).images;
    writeFileSync(this.cfgFile, JSON.stringify(this.config));
  }

  rand(): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2 ** 31;
    return this.seed / 2 ** 31;
  }

  start(extra: string[] = []): TrainChild {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'train', '--data', this.data, '--run', this.runDir, '--config', this.cfgFile, '--resume', ...extra],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    return { child, exited, output: () => out };
  }

  rows(): Promise<MetricRow[]> {
    return readMetrics(join(this.runDir, 'metrics.jsonl'));
  }

  /** Poll until `cond` holds or the child exits; returns whether the condition was met. */
  async waitFor(cond: () => boolean | Promise<boolean>, child: ChildProcess, pollMs = 2): Promise<boolean> {
    while (child.exitCode === null && child.signalCode === null) {
      if (await cond()) return true;
      await sleep(pollMs);
    }
    return false;
  }

  /** Temp folders of checkpoint writes in progress right now. */
  checkpointWrites(): string[] {
    const dir = join(this.runDir, 'checkpoints');
    return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('.tmp-')) : [];
  }

  /** Start a trainer, wait until it has logged a step, let `trigger` decide when to SIGKILL it, then check the run folder. */
  async killTrial(t: number, mode: string, trigger: (run: TrainChild) => Promise<void>): Promise<KillOutcome> {
    const t0 = Date.now();
    const run = this.start();
    // started = this process logged a step (rows carry their wall-clock time)
    const started = await this.waitFor(async () => (await this.rows()).some((r) => r.time >= t0), run.child, 20);
    expect(started, `trial ${t}: training never started:\n${run.output()}`).toBe(true);
    await trigger(run);
    expect(run.child.exitCode, `trial ${t}: the trainer exited on its own:\n${run.output()}`).toBeNull();
    run.child.kill('SIGKILL');
    await run.exited;

    const steps = (await this.rows()).map((r) => r.step);
    expect(steps, `trial ${t}: metrics rows are not 1..n`).toEqual(steps.map((_, i) => i + 1));
    const { checkpoint, problems } = await new CheckpointStore(this.runDir).loadLatest();
    expect(problems, `trial ${t}: a complete-looking checkpoint failed verification`).toEqual([]);
    expect(checkpoint, `trial ${t}: no complete checkpoint`).not.toBeNull();
    const last = steps.length ? steps[steps.length - 1]! : 0;
    const lost = last - checkpoint!.meta.step;
    expect(lost, `trial ${t} (${mode}): ${lost} steps logged after checkpoint ${checkpoint!.name}`).toBeLessThanOrEqual(this.config.checkpointEvery);
    expect(lost).toBeGreaterThanOrEqual(0);
    return { mode, lastRow: last, checkpoint: checkpoint!.meta.step, lost };
  }
}
