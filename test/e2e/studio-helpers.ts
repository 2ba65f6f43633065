// Shared steps of the Studio UI end-to-end specs: screenshots, the sample dataset, a tiny training config, starting a run, evaluation steps.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { presetConfig, type StudioConfig } from '../../src/shared/config-schema';
import { tinyModelConfig } from '../support/tiny-model-config';
import { REPO } from './support/web-host-fixture';

export const SCREENSHOT_DIR = join(REPO, 'test-results/screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** A config whose steps take a fraction of a second on a 2-core CPU (one block, 32 px globals, 16 px locals, K=64). */
export function tinyConfig(): StudioConfig {
  return tinyModelConfig({ batchSize: 8, epochs: 20, warmupEpochs: 1, workers: 1, prefetch: 2, checkpointEvery: 5 }, presetConfig('cpu-small'));
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

/** The run id the Training screen's status line shows ('' when it shows none). */
export async function shownRunId(page: Page): Promise<string> {
  const code = page.getByTestId('train-state').locator('code').first();
  return (await code.count()) ? ((await code.textContent()) ?? '').trim() : '';
}

/**
 * Start training on the opened dataset from the Training screen and wait for the new run's first `minPoints` logged steps;
 * returns the new run's id. The screen keeps showing the engine's last run (stopped, with its curves) until the new run's
 * first status arrives, so the id shown before the click is waited away, not read.
 */
export async function startTraining(page: Page, minPoints = 1): Promise<string> {
  await page.getByRole('tab', { name: 'Training' }).click();
  const previous = await shownRunId(page);
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByRole('progressbar', { name: 'Training progress' })).toBeVisible({ timeout: 60_000 });
  await expect.poll(() => shownRunId(page), { timeout: 60_000 }).not.toBe(previous);
  const runId = await shownRunId(page);
  await expect.poll(() => lossPoints(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(minPoints);
  expect(await shownRunId(page), 'the run shown changed while its first steps were awaited').toBe(runId);
  return runId;
}

/** On the Evaluation screen: k-NN on the default train/val folders (the sample's), then a query's nearest neighbours. */
export async function knnAndNeighbours(page: Page): Promise<void> {
  // The sample dataset's train/val layout fills the folders by default.
  await expect(page.getByLabel('Train folder')).toHaveValue(/sample-dataset[\\/]train$/);
  await expect(page.getByLabel('Val folder')).toHaveValue(/sample-dataset[\\/]val$/);

  await page.getByRole('button', { name: 'Run k-NN' }).click();
  const top1 = page.getByTestId('knn-top1');
  await expect(top1).toHaveText(/^\d+(\.\d)? %$/, { timeout: 240_000 });
  const perClass = page.getByRole('table', { name: 'Per-class accuracy' });
  await expect(perClass.locator('tbody tr')).toHaveCount(6); // the sample's six shapes

  // A query image from the val folder: its neighbours among the train images.
  await page.getByRole('button', { name: /^Use .* as the query$/ }).first().click();
  await page.getByRole('button', { name: 'Find neighbours' }).click();
  await expect(page.getByRole('img', { name: 'neighbour 1' })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('img', { name: /^neighbour \d+$/ })).toHaveCount(8);
}

/** On the Evaluation screen: attention maps of the query image, one per head; the threshold slider redraws them. */
export async function attentionMaps(page: Page, heads: number, name: string): Promise<void> {
  if (!(await page.getByLabel('Query image path').inputValue())) await page.getByRole('button', { name: /^Use .* as the query$/ }).first().click();

  // Attention maps: one per head; moving the threshold redraws the threshold view.
  await page.getByRole('button', { name: 'Draw attention maps' }).click();
  const maps = page.getByRole('img', { name: /^attention head \d+$/ });
  await expect(maps).toHaveCount(heads, { timeout: 120_000 });
  const before = await maps.first().getAttribute('src');
  await page.getByRole('slider', { name: 'Threshold' }).fill('0.3');
  await expect.poll(() => maps.first().getAttribute('src'), { timeout: 60_000 }).not.toBe(before);
  await page.getByLabel('Threshold view').uncheck();
  await expect.poll(() => maps.first().getAttribute('src')).not.toBe(before);
  await screenshot(page, name);
}

/** The page fits the window's width (no horizontal scrolling). */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
}

/** Every visible form control on the page has a name a screen reader can announce (label, aria-label or text). */
export async function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('input, select, textarea, button'))) {
      if (el.offsetParent === null) continue; // hidden
      const labelled =
        ((el as HTMLInputElement).labels?.length ?? 0) > 0 ||
        !!el.getAttribute('aria-label')?.trim() ||
        !!el.getAttribute('aria-labelledby') ||
        (el.tagName === 'BUTTON' && !!el.textContent?.trim());
      if (!labelled) out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  });
}
