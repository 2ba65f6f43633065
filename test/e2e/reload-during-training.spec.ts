// A renderer reload or crash mid-training changes nothing in the run: same runId, steps continue, no second run, contiguous metrics in the engine's record.
import { expect, test } from './support/web-host-fixture';
import { lossPoints, openSample, startTraining, tinyConfig, useSavedConfig } from './studio-helpers';
import type { Page } from '@playwright/test';

/** Call a channel from inside the page over its own same-origin WebSocket (the cookie authenticates it), as the app itself does. */
async function pageCall<T>(page: Page, channel: string, request: unknown): Promise<T> {
  const envelope = (await page.evaluate(
    ([ch, req]) =>
      new Promise<unknown>((resolve, reject) => {
        const ws = new WebSocket(`ws://${location.host}/ws`);
        ws.onerror = () => reject(new Error('WebSocket failed'));
        ws.onmessage = (e) => {
          const m = JSON.parse(String(e.data)) as { t: string; id: number; envelope: unknown };
          if (m.t === 'result' && m.id === 1) {
            ws.close();
            resolve(m.envelope);
          }
        };
        ws.onopen = () => ws.send(JSON.stringify({ t: 'call', id: 1, channel: ch, request: req }));
      }),
    [channel, request] as const,
  )) as { ok: boolean; value?: T; error?: { message: string } };
  if (!envelope.ok) throw new Error(`${channel}: ${envelope.error?.message}`);
  return envelope.value as T;
}

const step = async (page: Page) => Number(await page.getByRole('progressbar', { name: 'Training progress' }).getAttribute('aria-valuenow'));

// Quarantined until 2026-12-02 (a "second run id" in CI): startTraining() read the id of the engine's previous, stopped run,
// which the page shows after a reload until the new run's first status arrives; it now waits for the id to change.
test('reloading and crashing the page mid-training leave the run untouched', async ({ studio: page, webHost }) => {
  test.setTimeout(300_000);
  await useSavedConfig(page, tinyConfig());
  await openSample(page);
  const runsBefore = (await pageCall<{ runId: string }[]>(page, 'runs:list', {})).map((r) => r.runId);
  const runId = await startTraining(page, 2);
  expect(runId).not.toBe('');
  const state = page.getByTestId('train-state');

  // 1. plain reloads, twice
  for (let i = 0; i < 2; i++) {
    const before = await step(page);
    await page.reload();
    await page.getByRole('tab', { name: 'Training' }).click();
    await expect(state).toContainText(runId, { timeout: 30_000 });
    await expect(state.locator('strong')).toHaveText(/running/, { timeout: 30_000 });
    await expect.poll(() => step(page), { timeout: 120_000 }).toBeGreaterThan(before);
    await expect.poll(() => lossPoints(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  }

  // 2. the renderer process crashes; a new tab reattaches to the same run
  const beforeCrash = await step(page);
  const crashed = page.waitForEvent('crash', { timeout: 10_000 }).then(
    () => true,
    () => false,
  );
  await page.goto('chrome://crash').catch(() => undefined);
  const didCrash = await crashed;
  const tab = didCrash ? await page.context().newPage() : page;
  await tab.goto(webHost.url);
  await tab.getByRole('tab', { name: 'Training' }).click();
  await expect(tab.getByTestId('train-state')).toContainText(runId, { timeout: 30_000 });
  await expect.poll(() => step(tab), { timeout: 120_000 }).toBeGreaterThan(beforeCrash);

  // 3. the engine's record: one new run, the same one, steps 1..n without a gap or a restart
  await tab.getByRole('button', { name: 'Stop' }).click();
  await expect(tab.getByTestId('train-state').locator('strong')).toHaveText('stopped', { timeout: 60_000 });
  const runsAfter = (await pageCall<{ runId: string }[]>(tab, 'runs:list', {})).map((r) => r.runId);
  expect(runsAfter.filter((r) => !runsBefore.includes(r))).toEqual([runId]);
  const detail = await pageCall<{ metrics: { step: number }[] }>(tab, 'runs:get', { runId });
  const steps = detail.metrics.map((m) => m.step);
  expect(steps.length).toBeGreaterThan(beforeCrash - 1);
  expect(steps).toEqual(steps.map((_, i) => i + 1));
  console.log(didCrash ? 'chrome://crash crashed the tab; a new tab reattached' : 'chrome://crash was refused; the same tab reattached');
});
