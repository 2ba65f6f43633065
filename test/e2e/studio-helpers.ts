// Shared steps of the Studio UI end-to-end specs: screenshots, opening the sample dataset, a tiny training config, starting a run.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { presetConfig, type StudioConfig } from '../../src/shared/config-schema';
import { REPO } from './support/web-host-fixture';

export const SCREENSHOT_DIR = join(REPO, 'test-results/screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** A config whose steps take a fraction of a second on a 2-core CPU (one block, 32 px globals, 16 px locals, K=64). */
export function tinyConfig(): StudioConfig {
  return {
    ...presetConfig('cpu-small'),
    depth: 1,
    globalSize: 32,
    localSize: 16,
    localCrops: 2,
    outDim: 64,
    headHiddenDim: 32,
    headBottleneckDim: 16,
    batchSize: 8,
    epochs: 20,
    warmupEpochs: 1,
    workers: 1,
    prefetch: 2,
    checkpointEvery: 5,
  };
}

/** Put a config in the page's saved settings (what the config store loads), then reload the page. */
export async function useSavedConfig(page: Page, config: StudioConfig): Promise<void> {
  await page.evaluate(`localStorage.setItem('multicrop.config', ${JSON.stringify(JSON.stringify(config))})`);
  await page.reload();
  await expect(page.getByRole('tab', { name: 'Dataset' })).toBeVisible();
}

/** Open the sample dataset from the Dataset screen and wait for its thumbnails. */
export async function openSample(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Dataset' }).click();
  await page.getByRole('button', { name: 'Open sample dataset' }).click();
  await expect(page.getByTestId('image-count')).toHaveText(/^[1-9]\d*$/, { timeout: 60_000 });
}

/** Number of points on the loss curve of the live or reopened run shown in `scope`. */
export function lossPoints(page: Page, scope = page.locator('body')): Promise<number> {
  return scope
    .locator('figure.loss-chart')
    .first()
    .getAttribute('data-points')
    .then((v) => Number(v ?? 0));
}

/** Start training on the opened dataset from the Training screen and wait for the first logged step. */
export async function startTraining(page: Page, minPoints = 1): Promise<string> {
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByRole('button', { name: 'Start training' }).click();
  const bar = page.getByRole('progressbar', { name: 'Training progress' });
  await expect(bar).toBeVisible({ timeout: 60_000 });
  await expect.poll(() => lossPoints(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(minPoints);
  const runId = await page.getByTestId('train-state').locator('code').first().textContent();
  return (runId ?? '').trim();
}
