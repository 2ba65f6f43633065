// Locates ../shared (datasets, golden values, anchors) beside the checkout; suites that need it skip with a message on a user's machine and FAIL in CI (CI=true).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
/** ../shared beside the checkout; MULTICROP_SHARED_DIR points elsewhere (tests of this rule point it at nothing). */
export const SHARED_DIR = resolve(process.env.MULTICROP_SHARED_DIR ?? resolve(REPO_ROOT, '../shared'));
export const HAS_SHARED = existsSync(resolve(SHARED_DIR, 'fixtures/dino-golden/golden.json'));
export const SKIP_SHARED_REASON = `../shared not found at ${SHARED_DIR}: tests on the real dataset and golden values are skipped`;

/** CI=true (GitHub Actions, .ci/run): a suite that cannot run there is a failure, never a quiet skip. */
export const IN_CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');
/** Skip only on a user's machine; in CI the suite runs and fails at requireShared(). */
export const SKIP_SHARED = !HAS_SHARED && !IN_CI;

if (!HAS_SHARED) console.warn(IN_CI ? `CI=true: ${SKIP_SHARED_REASON.replace('are skipped', 'FAIL')}` : SKIP_SHARED_REASON);

/** Throws in CI when ../shared is missing (call first in a test or beforeAll of a suite that needs it). */
export function requireShared(): void {
  if (!HAS_SHARED) throw new Error(`CI=true but ../shared is missing at ${SHARED_DIR}: the golden-value and dataset suites must run in CI; provide ../shared (or MULTICROP_SHARED_DIR)`);
}

export const HYMENOPTERA = resolve(SHARED_DIR, 'datasets/hymenoptera');
export const GOLDEN_DIR = resolve(SHARED_DIR, 'fixtures/dino-golden');

let golden: unknown;
/** The golden values computed with the official DINO code (parsed once). */
export function loadGolden<T = Record<string, unknown>>(): T {
  golden ??= JSON.parse(readFileSync(resolve(GOLDEN_DIR, 'golden.json'), 'utf8'));
  return golden as T;
}
