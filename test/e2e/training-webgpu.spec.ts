// Web mode on WebGPU: a person picks the webgpu backend on the Training screen, starts a run, sees the adapter it runs on (SwiftShader here, named a software rasteriser), and the run's config records webgpu.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { IN_CI, SWIFTSHADER_ICD, noAdapterMessage } from '../support/webgpu-env';
import { lossPoints, openSample, screenshot, shownRunId, tinyConfig, useSavedConfig } from './studio-helpers';
import { startBuiltWebHost, stopChild } from './support/web-host-fixture';

const requireHere = createRequire(import.meta.url);
function webgpuPackagePresent(): boolean {
  try {
    requireHere.resolve('webgpu');
    return true;
  } catch {
    return false;
  }
}
const missing = !existsSync(SWIFTSHADER_ICD) ? `${SWIFTSHADER_ICD} is absent` : !webgpuPackagePresent() ? 'the optional webgpu package is not installed' : '';

test.use({ viewport: { width: 1366, height: 768 } });

test('pick webgpu on the Training screen, start, see the adapter, the run records webgpu', async ({ page }) => {
  if (missing && IN_CI) throw new Error(`CI must run the webgpu UI test: ${missing}`);
  test.skip(Boolean(missing), noAdapterMessage(missing));
  test.setTimeout(420_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'multicrop-e2e-webgpu-'));
  const xdg = mkdtempSync(join(tmpdir(), 'mc-xdg-'));
  // The product never points Vulkan at SwiftShader itself; this test does, for the web host's engine (Dawn in Node).
  const { handle, child } = await startBuiltWebHost(dataDir, [], { VK_ICD_FILENAMES: SWIFTSHADER_ICD, XDG_RUNTIME_DIR: xdg });
  try {
    await page.goto(handle.url);
    // The tiniest run the tests train, with one local crop and batch 2: SwiftShader takes seconds a step.
    await useSavedConfig(page, { ...tinyConfig(), batchSize: 2, localCrops: 1, epochs: 2 });
    await openSample(page);
    await page.getByRole('tab', { name: 'Training' }).click();

    // The backend is a setting of the Run group, which starts folded.
    await page.locator('details.group > summary').filter({ hasText: /^\s*run\s*$/i }).click();
    const picker = page.getByLabel('Backend', { exact: true });
    await expect(picker).toBeVisible();
    await picker.selectOption('webgpu');
    await expect(picker).toHaveValue('webgpu');

    const previous = await shownRunId(page);
    await page.getByRole('button', { name: 'Start training' }).click();
    await expect.poll(() => shownRunId(page), { timeout: 120_000 }).not.toBe(previous);
    const runId = await shownRunId(page);

    // The status line names the backend and the adapter it trains on.
    await expect(page.getByTestId('train-backend')).toHaveText('webgpu', { timeout: 180_000 });
    await expect(page.getByTestId('train-adapter')).toContainText(/SwiftShader/i);
    await expect.poll(() => lossPoints(page), { timeout: 300_000 }).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'training-webgpu-1366');

    // The run's own config says which backend it used.
    const config = JSON.parse(readFileSync(join(dataDir, 'runs', runId, 'config.json'), 'utf8')) as { backend?: string };
    expect(config.backend).toBe('webgpu');

    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(page.getByTestId('train-state').locator('strong')).toHaveText(/stopped|finished/, { timeout: 120_000 });
  } finally {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(xdg, { recursive: true, force: true });
  }
});
