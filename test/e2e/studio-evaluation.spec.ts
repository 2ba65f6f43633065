// The Evaluation screen in Chromium: k-NN on the sample dataset's train/val split, a nearest-neighbour gallery and attention maps per head.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './support/web-host-fixture';
import { openSample, screenshot, startTraining, tinyConfig, useSavedConfig } from './studio-helpers';
import { GOLDEN_DIR, HAS_SHARED, SKIP_SHARED_REASON } from '../support/shared-fixtures';

test.describe.configure({ timeout: 300_000 });
test.use({ viewport: { width: 1280, height: 800 } }); // the window size the UI must fit

const GOLDEN_WEIGHTS = join(GOLDEN_DIR, 'vit_tiny16.safetensors');

async function knnAndNeighbours(page: import('@playwright/test').Page): Promise<void> {
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

async function attentionMaps(page: import('@playwright/test').Page, heads: number, name: string): Promise<void> {
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

// On this CPU a 224 px ViT-Tiny/16 embeds about one image per second, so the weights-file test draws attention maps only;
// k-NN and neighbours run on the tiny trained model below.
test('attention maps of a weights file (the golden ViT-Tiny/16)', async ({ studio: page }) => {
  test.skip(!HAS_SHARED || !existsSync(GOLDEN_WEIGHTS), SKIP_SHARED_REASON);
  await openSample(page);
  await page.getByRole('tab', { name: 'Evaluation' }).click();
  await page.getByLabel('Weights file (.safetensors)').check();
  await page.getByLabel('Weights file', { exact: true }).fill(GOLDEN_WEIGHTS);
  await attentionMaps(page, 3, 'evaluation-weights');
});

test('k-NN and attention maps of a trained run', async ({ studio: page }) => {
  await useSavedConfig(page, tinyConfig());
  await openSample(page);
  await startTraining(page, 1);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('train-state').locator('strong')).toHaveText('stopped', { timeout: 60_000 });
  await page.getByRole('tab', { name: 'Evaluation' }).click();
  await expect(page.getByLabel('Run', { exact: true })).not.toHaveValue('');
  await knnAndNeighbours(page);
  await attentionMaps(page, 3, 'evaluation-run');
});
