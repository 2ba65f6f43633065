// Opening the app again brings back the last folder and the settings (desktop conventions), here by reloading the browser tab.
import { test, expect } from './support/web-host-fixture';
import { openSample } from './studio-helpers';

test('the last folder and the settings are restored when the app starts again', async ({ studio: page }) => {
  await openSample(page);
  const count = await page.getByTestId('image-count').textContent();
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByLabel('Depth', { exact: true }).fill('3');
  await page.getByRole('button', { name: 'Explanations' }).click();
  await page.reload();
  await expect(page.getByRole('tab', { name: 'Dataset' })).toBeVisible();
  // nothing clicked: the same folder is scanned again and shown
  await expect(page.getByTestId('image-count')).toHaveText(count!, { timeout: 60_000 });
  await page.getByRole('tab', { name: 'Training' }).click();
  await expect(page.getByLabel('Depth', { exact: true })).toHaveValue('3');
  await expect(page.getByRole('button', { name: 'Explanations' })).toHaveAttribute('aria-pressed', 'true');
});
