// `multicrop train` as a user runs it: usage errors, --dry-run plan, Ctrl-C (SIGINT) saves a checkpoint at the last step and exits 0.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../../src/engine/train/checkpoint-store';
import { readRunRecord } from '../../../src/engine/train/run-store';
import { REPO_ROOT } from '../../support/shared-fixtures';
import { CrashHarness } from './crash-harness';
import { tinyConfig } from './tiny-run';

const h = new CrashHarness(tinyConfig({ backend: 'wasm', checkpointEvery: 1000, epochs: 400 }));
beforeAll(() => h.setup());
afterAll(() => rmSync(h.root, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
}

describe('multicrop train', () => {
  it('names a missing --data, refuses a batch larger than the dataset, and plans with --dry-run', () => {
    const noData = cli(['--run', join(h.root, 'x')]);
    expect(noData.status).toBe(2);
    expect(noData.stderr).toMatch(/--data DIR is required/);

    const big = cli(['--data', h.data, '--run', join(h.root, 'big'), '--config', h.cfgFile, '--batch-size', '13']);
    expect(big.status).toBe(2);
    expect(big.stderr).toMatch(/batchSize: a step needs 13 images .* only 12 usable images; lower batchSize to at most 12/);
    expect(existsSync(join(h.root, 'big'))).toBe(false);

    const dry = cli(['--data', h.data, '--run', join(h.root, 'dry'), '--config', h.cfgFile, '--dry-run', '--json']);
    expect(dry.status).toBe(0);
    const plan = JSON.parse(dry.stdout.trim().split('\n').at(-1)!);
    expect(plan).toMatchObject({ ok: true, images: 12, imagesPerStep: 4, stepsPerEpoch: 3, totalSteps: 1200 });
    expect(plan.config.outDim).toBe(64);
    expect(existsSync(join(h.root, 'dry'))).toBe(false);
  });

  it('Ctrl-C finishes the step, saves a checkpoint there and exits 0', async () => {
    const run = h.start();
    const t0 = Date.now();
    const started = await h.waitFor(async () => (await h.rows()).filter((r) => r.time >= t0).length >= 2, run.child, 20);
    expect(started, run.output()).toBe(true);
    run.child.kill('SIGINT');
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/SIGINT: finishing this step, saving a checkpoint/);
    const rows = await h.rows();
    const { checkpoint } = await new CheckpointStore(h.runDir).loadLatest();
    expect(checkpoint!.meta.step).toBe(rows.at(-1)!.step); // nothing lost
    expect((await readRunRecord(h.runDir))!.state).toBe('stopped');
  });
});
