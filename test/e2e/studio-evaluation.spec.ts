// The Evaluation screen in Chromium on a freshly trained tiny run: k-NN on the sample's train/val split, a nearest-neighbour gallery, attention maps per head.
import { test, expect } from './support/web-host-fixture';
import { attentionMaps, expectNoHorizontalScroll, knnAndNeighbours, openSample, startTraining, tinyConfig, unnamedControls, useSavedConfig } from './studio-helpers';

test.describe.configure({ timeout: 240_000 });
test.use({ viewport: { width: 1280, height: 800 } }); // the window size the UI must fit

test('k-NN, neighbours and attention maps of a trained run', async ({ studio: page }) => {
  await useSavedConfig(page, tinyConfig());
  await openSample(page);
  await startTraining(page, 1);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('train-state').locator('strong')).toHaveText('stopped', { timeout: 60_000 });
  await page.getByRole('tab', { name: 'Evaluation' }).click();
  await expect(page.getByLabel('Run', { exact: true })).not.toHaveValue('');
  await knnAndNeighbours(page);
  await attentionMaps(page, 3, 'evaluation-run');
  await expectNoHorizontalScroll(page);
  expect(await unnamedControls(page)).toEqual([]);
});
