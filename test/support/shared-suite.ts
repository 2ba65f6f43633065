// describeShared: a vitest describe block that needs ../shared (skipped with the reason on a user's machine, failing in CI).
import { describe, it } from 'vitest';
import { HAS_SHARED, SKIP_SHARED, SKIP_SHARED_REASON, requireShared } from './shared-fixtures';

/** A describe block that needs ../shared: skipped with the reason on a user's machine, failing in CI. */
export function describeShared(title: string, body: () => void): void {
  describe.skipIf(SKIP_SHARED)(HAS_SHARED ? title : `${title} (${SKIP_SHARED_REASON})`, () => {
    it.runIf(!HAS_SHARED)('has ../shared', () => requireShared());
    if (HAS_SHARED) body();
  });
}
