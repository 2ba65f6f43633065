// `multicrop train --init-weights FILE`: a new run starts from an imported backbone (bit for bit), and a mismatched file is refused by name.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRun } from '../../../src/engine/io/run-export';
import { CheckpointStore } from '../../../src/engine/train/checkpoint-store';
import { REPO_ROOT } from '../../support/shared-fixtures';
import { writeTinyDataset } from '../train/tiny-run';
import { makeRun, sameBits, smallConfig } from './make-run';

const root = mkdtempSync(join(tmpdir(), 'mc-cli-init-'));
const data = join(root, 'data');
const config = smallConfig({ backend: 'cpu', epochs: 2, warmupEpochs: 1 });
const cfgFile = join(root, 'config.json');
const weights = join(root, 'backbone.safetensors');
let teacher: Awaited<ReturnType<typeof makeRun>>['teachers'][string];

beforeAll(async () => {
  await writeTinyDataset(data, 8);
  writeFileSync(cfgFile, JSON.stringify(config));
  const made = await makeRun(root, config, [0]);
  teacher = made.teachers['step-00000000']!;
  await exportRun(made.runDir, { format: 'safetensors', out: weights });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function train(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', '--data', data, '--config', cfgFile, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
}

describe('multicrop train --init-weights', () => {
  it('writes a step-0 checkpoint whose student and teacher backbones are the file, bit for bit', async () => {
    const runDir = join(root, 'from-file');
    const r = train(['--run', runDir, '--init-weights', weights, '--max-steps', '0']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Initial weights: .*backbone\.safetensors \(backbone; head initialised from the seed\)/);
    const { checkpoint } = await new CheckpointStore(runDir).loadLatest();
    expect(checkpoint!.meta.step).toBe(0);
    const backboneKeys = Object.keys(teacher).filter((k) => !k.startsWith('head.'));
    expect(backboneKeys.length).toBeGreaterThan(10);
    for (const k of backboneKeys) {
      expect(sameBits(checkpoint!.state.teacher[k]!.data, teacher[k]!.data), `teacher ${k}`).toBe(true);
      expect(sameBits(checkpoint!.state.student[k]!.data, teacher[k]!.data), `student ${k}`).toBe(true);
    }
  });

  it('names the mismatch when the file does not fit the run, and creates no run', () => {
    const r = train(['--run', join(root, 'bad'), '--init-weights', weights, '--depth', '3', '--max-steps', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--init-weights: .*depth 2 in the file, 3 in the config/);
    expect(existsSync(join(root, 'bad'))).toBe(false);
  });

  it('prints the memory estimate with --dry-run', () => {
    const r = train(['--run', join(root, 'dry'), '--dry-run']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Plan: .*--dry-run/);
    expect(r.stdout).toMatch(/MB/);
  });
});
