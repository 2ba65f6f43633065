// The compute window's decisions (src/main/compute-window-options.ts, engine/backends/compute-window-choice.ts): when runs go there, its security settings, the WebGPU switches per platform, its files.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeWindowBackend } from '../../src/engine/backends/compute-window-choice';
import { computeGoneReason, computeWindowFiles, computeWindowOptions, webGpuSwitches } from '../../src/main/compute-window-options';
import { windowOptions } from '../../src/main/window-options';

describe('when a run trains in the compute window', () => {
  it('in Electron: webgpu (any adapter) and auto (a hardware one); never elsewhere, never for the CPU backends', () => {
    expect(computeWindowBackend('webgpu', true)).toBe('webgpu');
    expect(computeWindowBackend('auto', true)).toBe('auto');
    for (const pref of ['tensorflow', 'wasm', 'cpu'] as const) expect(computeWindowBackend(pref, true), pref).toBeNull();
    for (const pref of ['webgpu', 'auto', 'tensorflow', 'wasm', 'cpu'] as const) expect(computeWindowBackend(pref, false), pref).toBeNull();
  });
});

describe('compute window options', () => {
  const opts = computeWindowOptions('/opt/multicrop/out/preload/compute.cjs');
  const wp = opts.webPreferences!;
  it('is hidden and not in the taskbar', () => {
    expect(opts.show).toBe(false);
    expect(opts.skipTaskbar).toBe(true);
  });
  it('is as locked down as the main window (sandbox, context isolation, no Node) with its own preload', () => {
    const main = windowOptions('/x').webPreferences!;
    for (const k of ['contextIsolation', 'sandbox', 'nodeIntegration', 'nodeIntegrationInWorker', 'nodeIntegrationInSubFrames', 'webSecurity', 'allowRunningInsecureContent', 'experimentalFeatures', 'webviewTag', 'navigateOnDragDrop'] as const) {
      expect(wp[k], k).toBe(main[k]);
    }
    expect(wp.sandbox).toBe(true);
    expect(wp.contextIsolation).toBe(true);
    expect(wp.nodeIntegration).toBe(false);
    expect(wp.preload).toBe('/opt/multicrop/out/preload/compute.cjs');
  });
  it('is not throttled while hidden (a step would wait on background timers)', () => {
    expect(wp.backgroundThrottling).toBe(false);
  });
  it('loads the built trainer bundle and its preload beside out/main', () => {
    expect(computeWindowFiles('/opt/multicrop/out/main')).toEqual({ page: join('/opt/multicrop/out/compute/index.html'), preload: join('/opt/multicrop/out/compute/preload.cjs') });
  });
  it('says what ended the window', () => {
    expect(computeGoneReason({ reason: 'crashed', exitCode: 139 })).toBe("the compute window's renderer process ended (crashed, exit code 139)");
  });
});

describe('WebGPU switches', () => {
  it('Linux: enable-unsafe-webgpu and the Vulkan feature; Windows and macOS: none', () => {
    expect(webGpuSwitches('linux')).toEqual([['enable-unsafe-webgpu'], ['enable-features', 'Vulkan']]);
    expect(webGpuSwitches('win32')).toEqual([]);
    expect(webGpuSwitches('darwin')).toEqual([]);
  });
});
