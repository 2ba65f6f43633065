// Backend choice in fresh processes: with no usable driver, with SwiftShader, and with this machine's own drivers, auto never takes a software adapter, --backend webgpu says what to do or uses SwiftShader saying it is for tests, and stderr stays empty (Dawn's native diagnostics stay in the probe's child process).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackendInfo } from '../../../src/shared/ipc-contract';
import { REPO_ROOT } from '../../support/shared-fixtures';
import { IN_CI, SWIFTSHADER_ICD } from '../../support/webgpu-env';

const CHILD = join(REPO_ROOT, 'test/engine/backends/start-backend-child.ts');
const xdg = mkdtempSync(join(tmpdir(), 'mc-xdg-'));

/** Start `pref` in a new Node process with the given Vulkan driver list (undefined: the machine's own). */
function start(pref: string, icd: string | undefined, extra: Record<string, string> = {}): { info: BackendInfo; stderr: string } {
  const env: Record<string, string | undefined> = { ...process.env, ...extra };
  delete env.VK_ICD_FILENAMES;
  delete env.VK_DRIVER_FILES;
  if (icd) env.VK_ICD_FILENAMES = icd;
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, pref], { cwd: REPO_ROOT, encoding: 'utf8', env, timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return { info: JSON.parse(r.stdout.trim().split('\n').at(-1)!) as BackendInfo, stderr: r.stderr };
}

const hasDawn = existsSync(join(REPO_ROOT, 'node_modules/webgpu/package.json'));
if (!hasDawn && IN_CI) throw new Error('CI=true but the webgpu package (optional dependency) is not installed');
if (!hasDawn) console.warn('the webgpu package is not installed: backend-selection tests skipped');
const hasSwiftShader = existsSync(SWIFTSHADER_ICD);
if (!hasSwiftShader && IN_CI) throw new Error(`CI=true but ${SWIFTSHADER_ICD} is missing (Debian's chromium package)`);
if (!hasSwiftShader) console.warn(`${SWIFTSHADER_ICD} missing: the SwiftShader cases are skipped`);

describe.skipIf(!hasDawn)('backend selection', () => {
  // A driver list naming no file: the Vulkan loader finds no driver at all.
  const NO_DRIVER = join(xdg, 'no-such-icd.json');

  it('no usable driver: auto passes over webgpu, explicit webgpu falls back saying what to install, nothing on stderr', () => {
    const auto = start('auto', NO_DRIVER);
    expect(auto.info.name).not.toBe('webgpu');
    expect(auto.info.reason).toMatch(/^auto: .*Dawn found no WebGPU adapter/);
    expect(auto.stderr).toBe('');
    const asked = start('webgpu', NO_DRIVER);
    expect(asked.info.name).not.toBe('webgpu');
    expect(asked.info.reason).toMatch(/^webgpu unavailable, fell back to \w+: .*install or update the GPU driver/);
    expect(asked.stderr).toBe('');
  });

  it("this machine's own drivers: auto never picks a software adapter and prints nothing", () => {
    const auto = start('auto', undefined);
    if (auto.info.name === 'webgpu') expect(auto.info.adapter?.software).toBe(false);
    expect(auto.stderr).toBe('');
  });

  it.skipIf(!hasSwiftShader)('SwiftShader: auto refuses it, --backend webgpu uses it and says it is a software rasteriser for tests', () => {
    const auto = start('auto', SWIFTSHADER_ICD, { XDG_RUNTIME_DIR: xdg });
    expect(auto.info.name).not.toBe('webgpu');
    expect(auto.info.reason).toMatch(/the only WebGPU adapter is google swiftshader .*auto never chooses it/);
    expect(auto.stderr).toBe('');
    const asked = start('webgpu', SWIFTSHADER_ICD, { XDG_RUNTIME_DIR: xdg });
    expect(asked.info.name).toBe('webgpu');
    expect(asked.info.adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', software: true, isFallbackAdapter: true, via: 'dawn-node' });
    expect(asked.info.adapter!.limits.maxBufferSize).toBeGreaterThan(0);
    expect(asked.info.reason).toMatch(/^requested: WebGPU on google swiftshader .*software rasteriser meant for tests/);
    expect(asked.stderr).toBe('');
  });
});
