// The Training screen at 1280x800: explanations readable without hovering, the lr really used, the measured step time and ETA before Start, speed frozen while paused, charts in place after Stop.
import { test, expect } from './support/web-host-fixture';
import { lossPoints, openSample, screenshot, startTraining, tinyConfig, useSavedConfig } from './studio-helpers';

test.use({ viewport: { width: 1280, height: 800 } });

test('explanations, lr scaling, step time before Start, pause and stop', async ({ studio: page }) => {
  test.setTimeout(240_000);
  const config = { ...tinyConfig(), epochs: 200 };
  await useSavedConfig(page, config);
  await openSample(page);
  await page.getByRole('tab', { name: 'Training' }).click();

  // the explanation of a setting: hidden to the eye until "Explanations" is on, then readable under it
  const help = page.locator('#cfg-lr-help');
  await expect(help).toHaveText(/batch 256/);
  expect(await help.evaluate((el) => el.getBoundingClientRect().width)).toBeLessThanOrEqual(1);
  await page.getByRole('button', { name: 'Explanations' }).click();
  await expect(page.getByRole('button', { name: 'Explanations' })).toHaveAttribute('aria-pressed', 'true');
  expect(await help.evaluate((el) => el.getBoundingClientRect().width)).toBeGreaterThan(100);

  // the lr field says what is applied: lr x batch / 256
  const peak = (config.lr * config.batchSize) / 256;
  await expect(page.getByTestId('lr-scaling')).toContainText(`x ${config.batchSize} / 256 = ${peak < 1e-3 ? peak.toExponential(2) : String(peak)}`);

  // the step time, measured by the engine, and the whole run's ETA before Start
  const probe = page.getByRole('region', { name: 'Time per step' });
  await expect(probe.getByTestId('step-time')).toHaveText(/^\d+(\.\d+)? s per step$/, { timeout: 120_000 });
  await expect(probe).toContainText(/Measured: 2 real training steps of these settings on (wasm|cpu|tensorflow|webgpu), timed at batch 8/);
  await expect(probe.getByTestId('eta-before-start')).toHaveText(/\d/);
  await screenshot(page, 'training-before-1280');

  // The screen shows the engine's last run (another spec's, with its curves) until this run's first status: wait it away.
  const runId = await startTraining(page, 3);
  await page.getByRole('button', { name: 'Pause' }).click();
  const state = page.getByTestId('train-state');
  await expect(state.locator('strong')).toHaveText('paused', { timeout: 60_000 });
  await expect(state).toContainText('images/s before the pause');
  const pausedText = await state.textContent();
  await page.waitForTimeout(1500);
  expect(await state.textContent()).toBe(pausedText);

  // after Stop the live curves stay where they were; the next run's step time and schedules come below them
  const curves = page.getByRole('region', { name: 'Live curves' });
  const before = await curves.boundingBox();
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(state.locator('strong')).toHaveText('stopped', { timeout: 60_000 });
  const schedules = page.getByRole('region', { name: 'Schedules before start' });
  await expect(schedules).toBeVisible();
  const after = await curves.boundingBox();
  expect(after!.y).toBe(before!.y);
  // ...and they are this run's curves, with its steps.
  await expect(state).toContainText(runId);
  expect(await lossPoints(page)).toBeGreaterThanOrEqual(3);
  expect((await schedules.boundingBox())!.y).toBeGreaterThan(after!.y);
  await screenshot(page, 'training-stopped-1280');
});

test('a folder dropped on the browser tab: it says how to open it there', async ({ studio: page }) => {
  await expect(page.getByRole('tab', { name: 'Dataset' })).toBeVisible();
  await page.getByRole('tab', { name: 'Training' }).click();
  const dt = await page.evaluateHandle(() => {
    const d = new DataTransfer();
    d.items.add(new File(['x'], 'photos.jpg', { type: 'image/jpeg' }));
    return d;
  });
  await page.dispatchEvent('.drop-zone', 'dragover', { dataTransfer: dt });
  await expect(page.getByText('Drop a folder to open it')).toBeVisible();
  await page.dispatchEvent('.drop-zone', 'drop', { dataTransfer: dt });
  await expect(page.getByRole('tab', { name: 'Dataset' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('dataset-notice')).toContainText('type the path of "photos.jpg" in Folder path');
});
