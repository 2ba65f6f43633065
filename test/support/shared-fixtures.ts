// Locates ../shared (datasets, golden values, anchors) beside the checkout; tests that need it skip with a message when absent.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const SHARED_DIR = resolve(REPO_ROOT, '../shared');
export const HAS_SHARED = existsSync(resolve(SHARED_DIR, 'fixtures/dino-golden/golden.json'));
export const SKIP_SHARED_REASON = `../shared not found at ${SHARED_DIR}: tests on the real dataset and golden values are skipped`;

if (!HAS_SHARED) console.warn(SKIP_SHARED_REASON);

export const HYMENOPTERA = resolve(SHARED_DIR, 'datasets/hymenoptera');
export const GOLDEN_DIR = resolve(SHARED_DIR, 'fixtures/dino-golden');

let golden: unknown;
/** The golden values computed with the official DINO code (parsed once). */
export function loadGolden<T = Record<string, unknown>>(): T {
  golden ??= JSON.parse(readFileSync(resolve(GOLDEN_DIR, 'golden.json'), 'utf8'));
  return golden as T;
}
