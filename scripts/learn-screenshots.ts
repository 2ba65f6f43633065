// Screenshots of a trained sample run for docs/learning.md (Chromium, web mode, 1280 x 800): the online k-NN curve rising from its step-0 value, and attention maps on the objects.
// Usage: npm run build && node --import tsx scripts/learn-screenshots.ts --run RUN_DIR (a run trained on the sample, e.g. by learn-check --data sample) [--image VAL_IMAGE_NAME] [--out docs/screenshots]
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { CHROMIUM_PATH } from '../playwright.config';
import { startBuiltWebHost } from '../test/e2e/support/web-host-fixture';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const argv = process.argv.slice(2);
const flag = (name: string, dflt?: string) => {
  const i = argv.indexOf(name);
  if (i >= 0 && i + 1 < argv.length) return argv[i + 1]!;
  if (dflt === undefined) throw new Error(`${name} is required (usage at the top of scripts/learn-screenshots.ts)`);
  return dflt;
};
const run = resolve(flag('--run'));
const out = resolve(flag('--out', join(repo, 'docs/screenshots')));
const imageName = flag('--image', 'star_003.jpg');

const dataDir = mkdtempSync(join(tmpdir(), 'learn-shots-'));
mkdirSync(join(dataDir, 'runs'), { recursive: true });
cpSync(run, join(dataDir, 'runs', basename(run)), { recursive: true });
const { handle, child } = await startBuiltWebHost(dataDir);
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(handle.url);
  await page.getByRole('tab', { name: 'Dataset' }).click();
  await page.getByRole('button', { name: 'Open sample dataset' }).click();
  await page.getByTestId('image-count').filter({ hasText: /^[1-9]\d*$/ }).waitFor({ timeout: 120_000 });

  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: `Open run ${basename(run)}` }).click();
  const chart = page.locator('figure.knn-chart').first();
  await chart.waitFor({ timeout: 60_000 });
  await page.getByTestId('knn-summary').scrollIntoViewIfNeeded();
  await page.waitForTimeout(1000); // chart.js animation
  mkdirSync(out, { recursive: true });
  await page.screenshot({ path: join(out, 'sample-run-knn.png') });

  await page.getByRole('tab', { name: 'Evaluation' }).click();
  await page.getByLabel('Run', { exact: true }).selectOption(basename(run));
  const val = (await page.getByLabel('Val folder').inputValue()).trim();
  const cls = imageName.replace(/_\d+\.\w+$/, '');
  await page.getByLabel('Query image path').fill(join(val, cls, imageName));
  await page.getByRole('button', { name: 'Draw attention maps' }).click();
  await page.getByTestId('attention-on-object').waitFor({ timeout: 120_000 });
  await page.getByLabel('Threshold view').uncheck();
  await page.waitForTimeout(1500);
  await page.getByRole('region', { name: 'Attention maps' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(out, 'sample-attention.png') });
  process.stdout.write(JSON.stringify({ out, files: ['sample-run-knn.png', 'sample-attention.png'], run }) + '\n');
} finally {
  await browser.close();
  child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
