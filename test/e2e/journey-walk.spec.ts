// The person's journey, walked by accessible names in a browser tab: a train/val folder (layout detected), presets (the state named, changes listed before they apply, save, reload, export), training, k-NN at two checkpoints with the step-0 baseline and the curve, two runs compared, exports downloaded and checked on disk; a 1280x800 screenshot of every screen into docs/screenshots/.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { parseSafetensors } from '../../src/engine/io/safetensors';
import { test, expect, REPO } from './support/web-host-fixture';
import { expectNoHorizontalScroll, openSample, startTraining, tinyConfig, unnamedControls, useSavedConfig } from './studio-helpers';

test.describe.configure({ timeout: 480_000 });
test.use({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });

const SHOTS = join(REPO, 'docs/screenshots');
async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Train on the open dataset until `steps` steps are logged, then stop; returns the new run's id. */
async function trainSteps(page: Page, steps: number): Promise<string> {
  const runId = await startTraining(page, steps);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('train-state').locator('strong')).toHaveText('stopped', { timeout: 60_000 });
  return runId;
}

test('the journey: folder, train, k-NN history with baseline, compare, export', async ({ studio: page }) => {
  await useSavedConfig(page, { ...tinyConfig(), checkpointEvery: 4 });
  await openSample(page);
  // Open the sample's own folder (train/ and val/ inside) by typing it: detected as that layout, not two classes.
  const split = page.getByTestId('split-layout');
  const sampleRoot = ((await split.locator('code').first().textContent()) ?? '').trim();
  expect(sampleRoot).toMatch(/sample-dataset$/);
  await page.getByLabel('Folder path').fill(sampleRoot);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(split).toContainText('train/val layout detected');
  await expect(page.getByTestId('image-count')).toHaveText('240'); // train/ only; val/ kept for k-NN
  await expect(page.getByRole('group', { name: 'Classes' }).getByRole('button')).toHaveCount(7); // all + six shapes, not train/val
  await shot(page, 'dataset');

  // Presets: the box names the state; each preset lists what it changes and changes nothing until Apply.
  await page.getByRole('tab', { name: 'Augmentation' }).click();
  const state = page.getByTestId('augment-state');
  await expect(state).toHaveAttribute('data-state', 'custom');
  await page.getByRole('button', { name: 'Reset to recipe defaults' }).click();
  const reset = page.getByRole('dialog', { name: /^Apply Reset the augmentation to the recipe defaults\?$/ });
  await expect(reset.getByRole('table', { name: 'Settings it changes' })).toContainText('224');
  await expect(reset).toContainText('Slower on a CPU');
  await shot(page, 'augmentation-reset-confirm');
  await reset.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByLabel('Global crop size', { exact: true })).toHaveValue('32');
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByRole('group', { name: 'Presets' }).getByRole('button', { name: 'cpu-small' }).click();
  const trainPreset = page.getByRole('dialog', { name: 'Apply Training preset cpu-small?' });
  await expect(trainPreset.getByLabel(/Keep my augmentation settings/)).toBeChecked();
  await trainPreset.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('tab', { name: 'Augmentation' }).click();

  // Tune, save as a preset, change again, and load it back (its one change listed first); it survives a reload.
  const locals = page.getByLabel('Local crops', { exact: true });
  await locals.fill('3');
  await page.getByText('my presets', { exact: true }).click();
  await page.getByLabel('Preset name').fill('walk three locals');
  await page.getByRole('button', { name: 'Save preset' }).click();
  await expect(page.getByText(/^Saved "walk three locals"/)).toBeVisible();
  await locals.fill('4');
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  const load = page.getByRole('dialog', { name: 'Apply My preset walk three locals?' });
  await expect(load.getByRole('table', { name: 'Settings it changes' }).locator('tbody tr')).toHaveCount(1);
  await expect(load.getByRole('row', { name: /Local crops/ })).toContainText('4');
  await load.getByRole('button', { name: 'Apply' }).click();
  await expect(locals).toHaveValue('3');
  await expect(state).toHaveAttribute('data-state', 'walk three locals (my preset)');
  await page.reload();
  await page.getByRole('tab', { name: 'Augmentation' }).click();
  await page.getByText('my presets', { exact: true }).click();
  await page.getByLabel('My presets').selectOption('walk three locals');
  const [presetFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export', exact: true }).click()]);
  const presetPath = join(test.info().outputDir, presetFile.suggestedFilename());
  await presetFile.saveAs(presetPath);
  const preset = JSON.parse(readFileSync(presetPath, 'utf8')) as { format: string; name: string; config: Record<string, unknown> };
  expect(preset).toMatchObject({ format: 'multicrop-preset/1', name: 'walk three locals', config: { localCrops: 3, globalSize: 32 } });
  // A file that is not a preset is refused with its name and the reason.
  await page.getByLabel('Import a preset file (JSON)').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"lr": 2}') });
  await expect(page.getByRole('alert').filter({ hasText: 'notes.json is not a Multicrop Studio preset' })).toBeVisible();
  await page.getByLabel('Import a preset file (JSON)').setInputFiles(presetPath);
  await expect(page.getByText(/^Imported "walk three locals"/)).toBeVisible();
  await expect(page.getByRole('img', { name: /local 3/ }).first()).toBeVisible({ timeout: 60_000 });
  await expectNoHorizontalScroll(page);
  await shot(page, 'augmentation');

  // Train a first run for 9 steps: checkpoints every 4 steps (and the one written on stop).
  const first = await trainSteps(page, 9);
  await shot(page, 'training');

  // k-NN at two checkpoints: each result shows the step-0 baseline beside it, and the history curve grows.
  await page.getByRole('tab', { name: 'Evaluation' }).click();
  // The first visit: the val folder is inside the opened folder, so its thumbnails load (no 403).
  await expect(page.getByLabel('Val folder')).toHaveValue(/sample-dataset[\\/]val$/);
  await expect(page.locator('#ev-val-state')).toHaveText('opened');
  const thumbs = page.getByRole('group', { name: 'Query image choices' }).locator('img');
  await expect(thumbs.first()).toBeVisible();
  await expect.poll(() => thumbs.evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0).length)).toBe(await thumbs.count());
  await page.getByLabel('Run', { exact: true }).selectOption(first);
  // An earlier checkpoint (checkpoints are pruned to step 0 and the newest three): the oldest after step 0.
  const names = await page.getByLabel('Checkpoint', { exact: true }).locator('option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
  const earlier = names.filter((n) => /^step-\d+$/.test(n) && n !== 'step-00000000').sort()[0]!;
  await page.getByLabel('Checkpoint', { exact: true }).selectOption(earlier);
  await page.getByRole('button', { name: 'Run k-NN' }).click();
  await expect(page.getByTestId('knn-top1')).toHaveText(/^\d+(\.\d)? %$/, { timeout: 240_000 });
  await expect(page.getByTestId('knn-baseline')).toContainText(/Step-0 baseline .*: \d+(\.\d)? %/);
  await page.getByLabel('Checkpoint', { exact: true }).selectOption('');
  await page.getByRole('button', { name: 'Run k-NN' }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`k-NN \\(20 neighbours\\) on (?!${earlier})step-\\d+ · step \\d+`) })).toBeVisible({ timeout: 240_000 });
  await expect(page.getByTestId('knn-baseline')).toBeVisible();
  const curve = page.getByRole('figure', { name: /^k-NN top-1 against step: \d+ points$/ });
  await expect(curve).toHaveAttribute('data-points', '3'); // the kept evaluations: step 0, the earlier checkpoint and the latest
  await page.getByText(/^Every evaluation/).click();
  await expect(page.getByRole('table', { name: 'Evaluation history' }).locator('tbody tr')).toHaveCount(3);
  await expectNoHorizontalScroll(page);
  expect(await unnamedControls(page)).toEqual([]);
  await shot(page, 'evaluation');

  // Export from the Evaluation screen: the teacher backbone downloads as safetensors with the official names.
  const [weights] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export safetensors' }).click()]);
  expect(weights.suggestedFilename()).toMatch(/^teacher-step-\d{8}\.safetensors$/);
  const weightsPath = join(test.info().outputDir, weights.suggestedFilename());
  await weights.saveAs(weightsPath);
  const parsed = parseSafetensors(new Uint8Array(readFileSync(weightsPath)), weightsPath);
  expect(Object.keys(parsed.tensors)).toEqual(expect.arrayContaining(['cls_token', 'pos_embed', 'patch_embed.proj.weight', 'blocks.0.attn.qkv.weight', 'norm.weight']));
  expect(Object.keys(parsed.tensors).some((k) => k.startsWith('head.'))).toBe(false);
  await expect(page.getByTestId('export-status')).toContainText('Downloading teacher-step-');

  // The torchrun command: shown with a copy button, and downloaded as an executable script.
  const [script] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export torchrun command' }).click()]);
  const scriptPath = join(test.info().outputDir, script.suggestedFilename());
  await script.saveAs(scriptPath);
  const text = readFileSync(scriptPath, 'utf8');
  expect(text.startsWith('#!/bin/sh\n')).toBe(true);
  expect(text).toContain('torchrun --nproc_per_node=1 main_dino.py');
  const shown = page.getByRole('textbox', { name: /torchrun command/ });
  await expect(shown).toHaveValue(text.slice('#!/bin/sh\n'.length));
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy command' }).click();
  await expect(page.getByText('Copied to the clipboard')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(text.slice('#!/bin/sh\n'.length));
  expect(statSync(scriptPath).size).toBe(Buffer.byteLength(text));

  // A second run with another learning rate, then both compared on the Runs screen.
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByLabel('Learning rate', { exact: true }).fill('0.004');
  const second = await trainSteps(page, 3);
  expect(second).not.toBe(first);
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('checkbox', { name: `Compare run ${first}` }).check();
  await page.getByRole('checkbox', { name: `Compare run ${second}` }).check();
  await page.getByRole('button', { name: 'Compare selected (2)' }).click();
  const comparison = page.getByRole('region', { name: 'Comparison of 2 runs' });
  await expect(comparison.getByRole('figure', { name: /^Loss \(overlaid\)/ })).toBeVisible();
  await expect(comparison.getByRole('figure', { name: /^k-NN top-1 against step \(overlaid\)/ })).toBeVisible();
  const diff = comparison.getByRole('table', { name: 'Settings that differ' });
  await expect(diff.getByRole('row', { name: /Learning rate/ })).toContainText('0.004');
  await expectNoHorizontalScroll(page);
  await shot(page, 'runs-compare');
  await comparison.getByRole('button', { name: 'Close comparison' }).click();
  await page.getByRole('button', { name: `Open run ${first}` }).click();
  await expect(page.getByRole('region', { name: `Export run ${first}` })).toBeVisible();
  await shot(page, 'runs');
});
