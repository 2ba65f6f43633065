// The augmentation lab's redraw latency as a person sees it: the built renderer in Chromium (web host), one parameter changed N times, input-to-painted ms per change.
import { basename } from 'node:path';
import type { EngineClient } from '../../engine/engine-client';
import { startWebHost } from '../../web-host/web-host';

export interface UiRedrawResult {
  samples: number[];
  /** Of each sample: ms the page waited for the engine's answer (WebSocket round trip included). */
  roundTrips: number[];
  browser: string;
}

/** Drive the real UI: open `dataset`, choose `image` in the lab, change Brightness `changes` times, read the lab's own input-to-paint timing. */
export async function measureUiRedraw(engine: EngineClient, dataset: string, image: string, changes: number): Promise<UiRedrawResult> {
  const executablePath = process.env.MULTICROP_CHROMIUM ?? '/usr/bin/chromium';
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new Error('--ui needs the playwright-core package (a dev dependency); run npm install in the project');
  }
  const host = await startWebHost({ engine, port: 0 });
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] }).catch((e: Error) => {
    throw new Error(`Chromium could not start from ${executablePath} (${e.message.split('\n')[0]}); install Debian's chromium or set MULTICROP_CHROMIUM`);
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(host.url);
    await page.getByLabel('Folder path').fill(dataset);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByTestId('image-count').waitFor({ timeout: 120_000 });
    await page.getByRole('tab', { name: 'Augmentation' }).click();
    await page.getByLabel('Image', { exact: true }).selectOption(image);
    await page.getByLabel('Preset', { exact: true }).selectOption('DINO recipe'); // the recipe's 2x224 + 8x96 views, as the engine-side figure
    const caption = page.getByTestId('preview-caption');
    await caption.filter({ hasText: basename(image) }).waitFor({ timeout: 60_000 });
    const latency = page.locator('.latency');
    const redraws = async () => Number(await latency.getAttribute('data-redraws'));
    const brightness = page.getByLabel('Brightness', { exact: true });
    const samples: number[] = [];
    const roundTrips: number[] = [];
    for (let i = 0; i < changes + 3; i++) {
      const before = await redraws();
      await brightness.fill((0.2 + 0.02 * ((i % 20) + 1)).toFixed(2));
      const deadline = Date.now() + 60_000;
      while ((await redraws()) <= before) {
        if (Date.now() > deadline) throw new Error(`the lab did not redraw within 60 s after change ${i + 1}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      if (i >= 3) {
        // the first three warm the decoder and caches
        samples.push(Number(await latency.getAttribute('data-last-ms')));
        roundTrips.push(Number(await latency.getAttribute('data-last-rtt-ms')));
      }
    }
    return { samples, roundTrips, browser: browser.version() };
  } finally {
    await browser.close();
    await host.close();
  }
}
