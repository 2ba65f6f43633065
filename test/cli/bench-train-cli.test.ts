// `multicrop bench-train` as a person runs it on a tiny model: a leak-free step, a kernel profile without double-counted scopes, the matMul probe.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { replicasFor } from '../../src/engine/train/assemble-run';
import { REPO_ROOT } from '../support/shared-fixtures';

describe('multicrop bench-train', () => {
  it('--profile lists backend kernels only (shares sum to 1) and --gemm reports our GFLOP/s (and PyTorch\'s when it is installed)', () => {
    const tiny = ['--depth', '1', '--global-size', '32', '--local-size', '16', '--locals', '2', '--batch', '2', '--out-dim', '64', '--head-hidden-dim', '32', '--head-bottleneck-dim', '16'];
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'bench-train', '--preset', 'cpu-small', ...tiny, '--steps', '1', '--threads', '1', '--no-anchor', '--profile', '--gemm', '--backend', 'wasm', '--json'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
      imagesPerSec: number;
      tensorsBefore: number;
      tensorsAfter: number;
      config: { depth: number; globalSize: number; batchSize: number };
      profile: { kernel: string; ms: number; calls: number; share: number }[];
      gemm: { shape: number[]; oursGflops: number; torchGflops: number | null };
    };
    expect(out.config).toMatchObject({ depth: 1, globalSize: 32, batchSize: 2 });
    expect(out.imagesPerSec).toBeGreaterThan(0);
    expect(out.tensorsAfter).toBe(out.tensorsBefore);
    const names = out.profile.map((p) => p.kernel);
    expect(names).toContain('BatchMatMul');
    expect(names.some((n) => /scope|__op|forward/.test(n)), names.join(', ')).toBe(false);
    expect(out.profile.reduce((s, p) => s + p.share, 0)).toBeLessThanOrEqual(1.001);
    // [2 globals x batch 2 x (2x2 patches + CLS), 192] x [192, 768]
    expect(out.gemm.shape).toEqual([2 * 2 * 5, 192, 768]);
    expect(out.gemm.oursGflops).toBeGreaterThan(0);
    if (out.gemm.torchGflops !== null) expect(out.gemm.torchGflops).toBeGreaterThan(0);
  }, 120_000);

  it('times the layout train runs (its replicas and attention), says so in the JSON, and flags an override', () => {
    const tiny = ['--depth', '1', '--global-size', '32', '--local-size', '16', '--locals', '2', '--batch', '4', '--out-dim', '64', '--head-hidden-dim', '32', '--head-bottleneck-dim', '16'];
    const bench = (extra: string[]) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'bench-train', '--preset', 'cpu-small', ...tiny, '--steps', '1', '--no-anchor', '--backend', 'wasm', '--json', ...extra], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { threads: number; sameAsTrain: boolean; layout: { replicas: number; attention: string; batchSize: number; backend: string } };
    };
    const planned = replicasFor({ batchSize: 4 }, 'wasm', availableParallelism());
    const asTrain = bench([]);
    expect(asTrain).toMatchObject({ threads: planned, sameAsTrain: true, layout: { replicas: planned, attention: 'fused', batchSize: 4, backend: 'wasm' } });
    const other = bench(['--attention', 'pairs']);
    expect(other).toMatchObject({ sameAsTrain: false, layout: { attention: 'pairs' } });
  }, 120_000);
});
