// The compute window's decisions as plain functions (tests assert them): its webPreferences, the Chromium switches WebGPU needs, where its page and preload are.
import type { BrowserWindowConstructorOptions } from 'electron';
import { join } from 'node:path';

/**
 * A hidden window that only computes: sandboxed, context-isolated, no Node, no navigation or dropping, and not
 * throttled while hidden (Chromium slows timers and tasks of background pages; a training step would wait on them).
 */
export function computeWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    show: false,
    width: 320,
    height: 200,
    title: 'Multicrop Studio compute',
    skipTaskbar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      backgroundThrottling: false,
    },
  };
}

/**
 * Chromium switches that give Electron's windows WebGPU, set before the app is ready. Linux: WebGPU is still behind
 * enable-unsafe-webgpu there and needs the Vulkan backend (electron/electron issue 41763); Windows (Direct3D 12) and
 * macOS (Metal) have it by default.
 */
export function webGpuSwitches(platform: NodeJS.Platform): [name: string, value?: string][] {
  if (platform === 'linux') return [['enable-unsafe-webgpu'], ['enable-features', 'Vulkan']];
  return [];
}

/** The compute page and its preload in the build, from out/main (where main runs). */
export function computeWindowFiles(outMainDir: string): { page: string; preload: string } {
  return { page: join(outMainDir, '../compute/index.html'), preload: join(outMainDir, '../compute/preload.cjs') };
}

/** What the engine is told when the compute window's renderer goes away (Electron's render-process-gone details). */
export function computeGoneReason(details: { reason: string; exitCode: number }): string {
  return `the compute window's renderer process ended (${details.reason}, exit code ${details.exitCode})`;
}
