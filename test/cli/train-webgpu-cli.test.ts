// `multicrop train --backend webgpu` (Dawn; SwiftShader here): runs, checkpoints, and a run stopped at step 1 and resumed to 2 logs the same losses as one run straight to 2; bench-train reports the adapter.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared-fixtures';
import { tinyModelConfig } from '../support/tiny-model-config';
import { IN_CI, noAdapterMessage, useSwiftShaderIfNoDriverChosen } from '../support/webgpu-env';
import { probeWebGpuAdapter } from '../../src/engine/backends/webgpu-adapter';
import { readMetrics } from '../../src/engine/train/metrics-log';
import { writeTinyDataset } from '../engine/train/tiny-run';

useSwiftShaderIfNoDriverChosen();
const probe = await probeWebGpuAdapter();
if (!probe.ok) {
  if (IN_CI) throw new Error(`CI=true but ${noAdapterMessage(probe.why)}`);
  console.warn(noAdapterMessage(probe.why));
}

const root = mkdtempSync(join(tmpdir(), 'mc-webgpu-cli-'));
const data = join(root, 'data');
const cfgFile = join(root, 'config.json');
beforeAll(async () => {
  await writeTinyDataset(data, 6);
  const c = tinyModelConfig({ backend: 'webgpu', localCrops: 1, batchSize: 2, outDim: 16, headHiddenDim: 16, headBottleneckDim: 8, epochs: 4, warmupEpochs: 1, workers: 0, prefetch: 1, checkpointEvery: 1 });
  writeFileSync(cfgFile, JSON.stringify(c));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: process.env });

describe.skipIf(!probe.ok)('multicrop train / bench-train --backend webgpu', () => {
  it('trains, checkpoints, and resumes with the same losses as an uninterrupted run', async () => {
    const straight = join(root, 'straight');
    const a = cli(['train', '--data', data, '--run', straight, '--config', cfgFile, '--max-steps', '2']);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/Backend: webgpu \(requested: WebGPU on /);

    const pieces = join(root, 'pieces');
    const b1 = cli(['train', '--data', data, '--run', pieces, '--config', cfgFile, '--max-steps', '1']);
    expect(b1.status, b1.stderr).toBe(0);
    const b2 = cli(['train', '--data', data, '--run', pieces, '--resume', '--max-steps', '2']);
    expect(b2.status, b2.stderr).toBe(0);

    const ra = await readMetrics(join(straight, 'metrics.jsonl'));
    const rb = await readMetrics(join(pieces, 'metrics.jsonl'));
    expect(ra.map((r) => r.step)).toEqual([1, 2]);
    expect(rb.map((r) => r.step)).toEqual([1, 2]);
    for (let i = 0; i < 2; i++) {
      for (const k of ['loss', 'teacherEntropy', 'centerNorm', 'klTeacherStudent'] as const) expect(Math.abs(rb[i]![k] - ra[i]![k]), `${k} at step ${i + 1}`).toBeLessThan(1e-5);
    }
    expect(ra[1]!.loss).not.toBe(ra[0]!.loss);
    expect(readdirSync(join(pieces, 'checkpoints')).sort()).toEqual(['step-00000000', 'step-00000001', 'step-00000002']);
  }, 1_200_000);

  it('bench-train --json reports the adapter, its limits, images/s and a leak-free step', () => {
    const r = cli(['bench-train', '--config', cfgFile, '--steps', '1', '--no-anchor', '--backend', 'webgpu', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out.backend).toBe('webgpu');
    expect(out.adapter.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(out.adapter.limits.maxBufferSize).toBeGreaterThan(0);
    expect(typeof out.adapter.vendor).toBe('string');
    expect(out.imagesPerSec).toBeGreaterThan(0);
    expect(out.sameAsTrain).toBe(true);
    expect(out.layout).toMatchObject({ replicas: 1, attention: 'batched', batchSize: 2 });
    expect(out.tensorsAfter).toBe(out.tensorsBefore);
    expect(out.gpuBytesBefore).toBeGreaterThan(0);
  }, 900_000);
});
