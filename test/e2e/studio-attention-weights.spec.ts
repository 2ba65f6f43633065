// The Evaluation screen on a weights file: attention maps per head of the golden ViT-Tiny/16 (official DINO key names) for a sample image.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from './support/web-host-fixture';
import { attentionMaps, openSample } from './studio-helpers';
import { GOLDEN_DIR, SKIP_SHARED, SKIP_SHARED_REASON, requireShared } from '../support/shared-fixtures';

test.describe.configure({ timeout: 180_000 });
test.use({ viewport: { width: 1280, height: 800 } }); // the window size the UI must fit

const GOLDEN_WEIGHTS = join(GOLDEN_DIR, 'vit_tiny16.safetensors');

// On this CPU a 224 px ViT-Tiny/16 embeds about one image per second, so this test draws attention maps only;
// k-NN and neighbours run on a tiny trained model in studio-evaluation.spec.ts.
test('attention maps of a weights file (the golden ViT-Tiny/16)', async ({ studio: page }) => {
  test.skip(SKIP_SHARED, SKIP_SHARED_REASON);
  requireShared(); // CI=true: a missing ../shared fails here instead of skipping
  if (!existsSync(GOLDEN_WEIGHTS)) throw new Error(`${GOLDEN_WEIGHTS} is missing from ../shared`);
  await openSample(page);
  await page.getByRole('tab', { name: 'Evaluation' }).click();
  await page.getByLabel('Weights file (.safetensors)').check();
  await page.getByLabel('Weights file', { exact: true }).fill(GOLDEN_WEIGHTS);
  await attentionMaps(page, 3, 'evaluation-weights');
});
