// The GPU device check's pack (scripts/device/): it builds under the 64 MiB a device call carries, unpacks, and on SwiftShader prints its one JSON line (webgpu bench figures on a software adapter, the PyTorch anchor on cpu in --tiny).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared-fixtures';
import { HAS_TORCH, PYTHON } from '../support/torch-check';
import { IN_CI, SWIFTSHADER_ICD } from '../support/webgpu-env';

const ANCHOR = resolve(REPO_ROOT, '../shared/anchors/torch_dino_step.py');
const needs: [boolean, string][] = [
  [existsSync(join(REPO_ROOT, 'node_modules/webgpu/package.json')), 'the webgpu package (optional dependency) is not installed'],
  [existsSync(SWIFTSHADER_ICD), `${SWIFTSHADER_ICD} is missing (Debian's chromium package)`],
  [existsSync(join(REPO_ROOT, 'node_modules/.bin/esbuild')), 'node_modules/.bin/esbuild is missing (npm ci)'],
  [existsSync(ANCHOR), `${ANCHOR} is missing (../shared)`],
];
const missing = needs.filter(([ok]) => !ok).map(([, why]) => why);
if (missing.length && IN_CI) throw new Error(`CI=true but ${missing.join('; ')}: the device-pack test must run in CI`);
if (missing.length) console.warn(`${missing.join('; ')}: device-pack test skipped`);

const root = mkdtempSync(join(tmpdir(), 'mc-device-pack-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(missing.length > 0)('device check pack (scripts/device)', () => {
  it('builds under 64 MiB, unpacks and prints one JSON line of webgpu figures on SwiftShader beside the cpu anchor', () => {
    const pack = join(root, 'pack');
    // xz level 1 (about 20 s instead of minutes): the default level 6 only makes the archive smaller.
    const built = spawnSync(process.execPath, ['scripts/device/pack-gpu-bench.mjs', '--out', pack, '--no-debs', '--node', process.execPath, '--anchor', ANCHOR, '--xz-level', '1'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(built.status, built.stderr).toBe(0);
    const size = JSON.parse(built.stdout.trim().split('\n').at(-1)!) as { bytes: number; limitMib: number };
    expect(size.limitMib).toBe(64);
    expect(size.bytes).toBeGreaterThan(10 * 2 ** 20);
    expect(size.bytes).toBeLessThanOrEqual(64 * 2 ** 20);

    const env: Record<string, string | undefined> = { ...process.env, MC_UNPACK: join(root, 'unpacked'), MC_NO_DEBS: '1', VK_ICD_FILENAMES: SWIFTSHADER_ICD, MC_PYTHON: PYTHON };
    delete env.VK_DRIVER_FILES;
    const r = spawnSync('bash', [join(pack, 'gpu-bench.sh'), '--tiny'], { cwd: root, encoding: 'utf8', env, timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines, r.stdout).toHaveLength(1);
    const out = JSON.parse(lines[0]!);
    expect(out).toMatchObject({ kind: 'gpu-bench', tiny: true, anchorDevice: 'cpu', node: process.version });
    expect(out.results).toHaveLength(1);
    const [res] = out.results;
    expect(res.webgpu.error, res.webgpu.error).toBeUndefined();
    expect(res.webgpu.imagesPerSec).toBeGreaterThan(0);
    expect(res.webgpu.adapter).toMatchObject({ architecture: 'swiftshader', software: true, isFallbackAdapter: true, via: 'dawn-node' });
    expect(res.webgpu.backendReason).toMatch(/^requested: WebGPU on .*software rasteriser meant for tests/);
    expect(res.webgpu.layout).toMatchObject({ backend: 'webgpu', attention: 'batched', batchSize: 2 });
    expect(res.webgpu.sameAsTrain).toBe(true);
    expect(res.webgpu.tensorsAfter).toBe(res.webgpu.tensorsBefore);
    if (HAS_TORCH) {
      expect(res.torchFp32.error, res.torchFp32.error).toBeUndefined();
      expect(res.torchFp32.device).toBe('cpu');
      expect(res.torchFp32.imagesPerSec).toBeGreaterThan(0);
      expect(res.torchAmp.error).toMatch(/fp16 autocast needs cuda/);
      expect(res.ratioVsFp32).toBeCloseTo(res.webgpu.imagesPerSec / res.torchFp32.imagesPerSec, 2);
    } else {
      expect(res.torchFp32.error).toMatch(/torch/);
    }
  }, 600_000);
});
