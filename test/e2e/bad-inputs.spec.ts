// A walk of the bad inputs in a browser tab (1280x800): a missing folder, an empty folder, a text file named .jpg, an out-of-range seed, a local crop larger than the global crop, a batch larger than the dataset; each named in plain words where it happens.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { test, expect } from './support/web-host-fixture';
import { screenshot, tinyConfig, useSavedConfig } from './studio-helpers';

test.describe.configure({ timeout: 180_000 });
test.use({ viewport: { width: 1280, height: 800 } });

const base = mkdtempSync(join(tmpdir(), 'multicrop-bad-inputs-'));
const empty = join(base, 'empty');
const small = join(base, 'three-photos');
test.beforeAll(async () => {
  mkdirSync(empty);
  mkdirSync(small);
  for (const [i, colour] of ['#a33', '#3a3', '#33a'].entries()) {
    await sharp({ create: { width: 120, height: 90, channels: 3, background: colour } }).jpeg().toFile(join(small, `photo-${i}.jpg`));
  }
  writeFileSync(join(small, 'notes.jpg'), 'shopping list: milk, eggs\n');
});
test.afterAll(() => rmSync(base, { recursive: true, force: true }));

/** No internal names (keys, method names, error codes) in what the page says. */
async function expectPlainWords(text: string): Promise<void> {
  expect(text).not.toMatch(/\b(localSize|globalSize|batchSize|datasetScan|foldersOpen|ENOENT|EACCES|StudioFailure|undefined|NaN|\[object Object\])\b/);
}

async function openTyped(page: import('@playwright/test').Page, path: string): Promise<void> {
  await page.getByRole('tab', { name: 'Dataset' }).click();
  await page.getByLabel('Folder path').fill(path);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
}

test('bad inputs are named in plain words where they happen', async ({ studio: page }) => {
  await useSavedConfig(page, { ...tinyConfig(), batchSize: 32, globalSize: 64, localSize: 32 });

  // 1. A folder that does not exist.
  const missing = join(base, 'no-such-folder');
  await openTyped(page, missing);
  const toast = page.getByRole('alert').filter({ hasText: missing });
  await expect(toast).toContainText('does not exist');
  await expectPlainWords(await toast.innerText());
  await screenshot(page, 'bad-inputs-1-missing-folder');

  // 2. An empty folder: opened (listed among the opened folders), but it never becomes the dataset in use: a notice says
  // why, and Start says why it cannot start.
  await openTyped(page, empty);
  await expect(page.getByTestId('dataset-notice')).toContainText(`${empty} has no usable images`);
  await expect(page.getByTestId('dataset-notice')).toContainText('Open a folder that holds images');
  await expectPlainWords(await page.getByTestId('dataset-notice').innerText());
  await expect(page.getByTestId('opened-folders')).toContainText(empty);
  await screenshot(page, 'bad-inputs-2-empty-folder');
  await page.getByRole('tab', { name: 'Training' }).click();
  await expect(page.getByRole('button', { name: 'Start training' })).toBeDisabled();
  await expect(page.locator('#start-blocked')).toContainText('Open a dataset first');
  await expectPlainWords(await page.locator('#start-blocked').innerText());
  await screenshot(page, 'bad-inputs-2b-empty-folder-start');

  // 3. A text file named .jpg: skipped, listed with the reason.
  await openTyped(page, small);
  await expect(page.getByTestId('image-count')).toHaveText('3');
  await page.getByText('1 skipped files').click();
  const row = page.getByRole('row').filter({ hasText: 'notes.jpg' });
  await expect(row).toContainText('not an image');
  await screenshot(page, 'bad-inputs-3-text-named-jpg');

  // 4. A seed the engine cannot use: named beside the field; the previews keep the last good seed.
  await page.getByRole('tab', { name: 'Augmentation' }).click();
  await expect(page.getByRole('img', { name: 'global 1', exact: true })).toBeVisible({ timeout: 30_000 });
  await page.getByLabel('Seed', { exact: true }).fill('-5');
  const seedError = page.locator('#aug-seed-error');
  await expect(seedError).toContainText('The seed must be a whole number from 0 to 2147483647 (you typed -5)');
  await page.getByLabel('Seed', { exact: true }).fill(String(2 ** 32));
  await expect(seedError).toContainText(`(you typed ${2 ** 32})`);
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue(String(2 ** 32)); // what was typed stays visible
  await expectPlainWords(await seedError.innerText());
  await screenshot(page, 'bad-inputs-4-seed');
  await page.getByLabel('Seed', { exact: true }).fill('3');
  await expect(seedError).toHaveCount(0);

  // 5. A local crop larger than the global crop: named at the field, the previews are hidden with the reason.
  await page.getByLabel('Local crop size', { exact: true }).fill('128');
  const field = page.locator('.field.invalid').filter({ hasText: 'Local crop size' });
  await expect(field).toContainText('Local crop size (128 px) is larger than the global crop size (64 px)');
  await expect(page.getByRole('img', { name: 'global 1', exact: true })).toHaveCount(0);
  await expect(page.getByText('The previews are hidden until the settings can be used')).toBeVisible();
  await expectPlainWords(await page.locator('.previews').innerText());
  await screenshot(page, 'bad-inputs-5-local-larger-than-global');
  await page.getByRole('tab', { name: 'Training' }).click();
  await expect(page.getByRole('button', { name: 'Start training' })).toBeDisabled();
  await expect(page.locator('#start-blocked')).toContainText('Local crop size (128 px) is larger than the global crop size (64 px)');
  await page.getByRole('tab', { name: 'Augmentation' }).click();
  await page.getByLabel('Local crop size', { exact: true }).fill('32');
  await expect(page.getByRole('img', { name: 'global 1', exact: true })).toBeVisible({ timeout: 30_000 });

  // 6. A batch larger than the dataset (32 of 3 images): Start is disabled with the explanation beside it.
  await page.getByRole('tab', { name: 'Training' }).click();
  const start = page.getByRole('button', { name: 'Start training' });
  await expect(start).toBeDisabled();
  const why = page.locator('#start-blocked');
  await expect(why).toContainText('The batch (32 images) is larger than the dataset (3 usable images): lower the batch size to 3 or less');
  await expect(start).toHaveAttribute('aria-describedby', 'start-blocked');
  await expectPlainWords(await why.innerText());
  await screenshot(page, 'bad-inputs-6-batch-larger-than-dataset');
});
