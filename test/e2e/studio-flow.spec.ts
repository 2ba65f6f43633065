// The Studio's whole flow in Chromium on the sample dataset: thumbnails, augmentation lab, training controls, reopening the run.
import { test, expect } from './support/web-host-fixture';
import { expectNoHorizontalScroll, lossPoints, openSample, screenshot, startTraining, tinyConfig, unnamedControls, useSavedConfig } from './studio-helpers';

test.describe.configure({ timeout: 240_000 });
test.use({ viewport: { width: 1280, height: 800 } }); // the window size the UI must fit

test('dataset, augmentation lab, training with pause/resume/stop, and the run reopened', async ({ studio: page }) => {
  await useSavedConfig(page, tinyConfig());

  // Shell: five screens as tabs, keyboard arrows move between them.
  const tabs = page.getByRole('tab');
  await expect(tabs).toHaveText(['Dataset', 'Augmentation', 'Training', 'Runs', 'Evaluation']);
  await page.getByRole('tab', { name: 'Dataset' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Augmentation' })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('tab', { name: 'Dataset' })).toHaveAttribute('aria-selected', 'true');

  // A folder that does not exist: an error toast says which folder and what happened.
  await page.getByLabel('Folder path').fill('/nonexistent-multicrop-folder');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: '/nonexistent-multicrop-folder' })).toBeVisible();

  // Dataset: open the sample, see decoded thumbnails.
  await openSample(page);
  const thumbs = page.getByRole('list', { name: 'Thumbnails' }).getByRole('img');
  await expect(thumbs.first()).toBeVisible();
  expect(await thumbs.count()).toBeGreaterThan(10);
  await expect.poll(() => thumbs.first().evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
  await expectNoHorizontalScroll(page);
  expect(await unnamedControls(page)).toEqual([]);
  await screenshot(page, 'dataset');

  // Augmentation: 2 globals + N locals; changing 'Local crops' changes the number of local views.
  await page.getByRole('tab', { name: 'Augmentation' }).click();
  await expect(page.getByRole('img', { name: 'global 1', exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('img', { name: 'global 2', exact: true })).toBeVisible();
  await page.getByLabel('Local crops', { exact: true }).fill('5');
  const locals = page.getByRole('img', { name: /^local \d+$/ });
  await expect(locals).toHaveCount(5);
  await expect(page.getByRole('img', { name: 'local 5', exact: true })).toBeVisible();
  await page.getByLabel('Local crops', { exact: true }).fill('3');
  await expect(locals).toHaveCount(3);

  // Reseed: new boxes on the source image, and the seed field shows the new seed.
  const boxes = () => page.locator('.crop-overlay g.box').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-box')).join(';'));
  const before = await boxes();
  expect(before.split(';')).toHaveLength(5);
  const seedBefore = await page.getByLabel('Seed', { exact: true }).inputValue();
  await page.getByRole('button', { name: 'Reseed' }).click();
  await expect.poll(boxes).not.toBe(before);
  expect(await page.getByLabel('Seed', { exact: true }).inputValue()).not.toBe(seedBefore);
  // A seed typed in the field reproduces its boxes.
  const seedField = page.getByLabel('Seed', { exact: true });
  const caption = page.getByTestId('preview-caption');
  await seedField.fill('7');
  await expect(caption).toContainText('seed 7 ·');
  const seven = await boxes();
  await seedField.fill('8');
  await expect(caption).toContainText('seed 8 ·');
  expect(await boxes()).not.toBe(seven);
  await seedField.fill('7');
  await expect(caption).toContainText('seed 7 ·');
  expect(await boxes()).toBe(seven);
  await expect(page.getByRole('img', { name: /heat map of \d+ crop centres/ }).first()).toBeVisible();
  await expectNoHorizontalScroll(page);
  expect(await unnamedControls(page)).toEqual([]);
  await screenshot(page, 'augmentation');

  // Training: schedules plotted before start, then a run with live curves.
  await page.getByRole('tab', { name: 'Training' }).click();
  await expect(page.getByRole('region', { name: 'Schedules before start' })).toBeVisible();
  await screenshot(page, 'training-before');
  const runId = await startTraining(page, 2);
  expect(runId).not.toBe('');
  const bar = page.getByRole('progressbar', { name: 'Training progress' });
  expect(Number(await bar.getAttribute('aria-valuemax'))).toBeGreaterThan(0);
  await expect.poll(() => lossPoints(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  await expect(page.getByRole('table', { name: 'Latest metrics' })).toBeVisible();
  await expectNoHorizontalScroll(page);
  expect(await unnamedControls(page)).toEqual([]);
  await screenshot(page, 'training-live');

  const state = page.getByTestId('train-state').locator('strong');
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(state).toHaveText('paused', { timeout: 60_000 });
  const pausedAt = Number(await bar.getAttribute('aria-valuenow'));
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(state).toHaveText('running', { timeout: 60_000 });
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 120_000 }).toBeGreaterThan(pausedAt);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(state).toHaveText('stopped', { timeout: 60_000 });
  await screenshot(page, 'training-stopped');

  // Runs: the run is listed; reopening it shows its curves and config; it can be resumed.
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: `Open run ${runId}` }).click();
  const detail = page.getByRole('region', { name: `Run ${runId}`, exact: true });
  await expect(detail).toBeVisible();
  await expect.poll(() => lossPoints(page, detail)).toBeGreaterThanOrEqual(2);
  await expect(detail.getByRole('button', { name: 'Resume' })).toBeEnabled();
  await expectNoHorizontalScroll(page);
  await screenshot(page, 'runs');

  // Reloading the page while the resumed run trains reattaches to it.
  await detail.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByRole('tab', { name: 'Training' })).toHaveAttribute('aria-selected', 'true');
  await expect(state).toHaveText(/running|starting/, { timeout: 60_000 });
  await page.reload();
  await page.getByRole('tab', { name: 'Training' }).click();
  await expect(page.getByTestId('train-state')).toContainText(runId, { timeout: 30_000 });
  await expect.poll(() => lossPoints(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  // The stored curve is there at once; the live one proves the page is attached to the run that trains.
  const reattachedAt = Number(await bar.getAttribute('aria-valuenow'));
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 60_000 }).toBeGreaterThan(reattachedAt);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('train-state').locator('strong')).toHaveText('stopped', { timeout: 60_000 });
});

test('dark theme and the backend badge', async ({ studio: page }) => {
  // plain words in the header; the engine's backend name and its full reason in the badge's details panel
  const badge = page.locator('.badge.backend');
  await expect(badge.locator('summary')).toHaveText(/^Computing on (CPU|GPU), /, { timeout: 60_000 });
  await badge.locator('summary').click();
  const details = page.getByRole('region', { name: 'Compute backend details' });
  await expect(details).toBeVisible();
  await expect(details).toContainText(/Backend (tensorflow|wasm|cpu|webgpu)/);
  expect((await details.locator('.reason').textContent())?.length ?? 0).toBeGreaterThan(5);
  const box = await details.boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= (page.viewportSize()?.width ?? 0)).toBe(true);
  await badge.locator('summary').click();
  await page.getByRole('button', { name: 'Dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveAttribute('aria-pressed', 'true');
  await screenshot(page, 'dark-theme');
  await page.getByRole('button', { name: 'Dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
});
