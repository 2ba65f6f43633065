// Whether PyTorch is importable for the parity suites: they skip with a message on a user's machine and FAIL in CI (CI=true).
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { IN_CI } from './shared-fixtures';

/** The interpreter the parity scripts run under; MULTICROP_PYTHON overrides it (tests of this rule point it at nothing). */
export const PYTHON = process.env.MULTICROP_PYTHON ?? '/usr/bin/python3';
const torchCheck = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
export const HAS_TORCH = torchCheck.status === 0;
export const TORCH_SKIP_REASON = `PyTorch is not importable by ${PYTHON} (${(torchCheck.stderr || String(torchCheck.error ?? '')).trim().split('\n').pop()}); install python3-torch to run the PyTorch parity checks`;
export const SKIP_TORCH = !HAS_TORCH && !IN_CI;
if (!HAS_TORCH) console.warn(IN_CI ? `CI=true: ${TORCH_SKIP_REASON} - the parity suites FAIL` : TORCH_SKIP_REASON);

/** A describe block that needs PyTorch: skipped with the reason on a user's machine, failing in CI. */
export function describeTorch(title: string, body: () => void): void {
  describe.skipIf(SKIP_TORCH)(HAS_TORCH ? title : `${title} (${TORCH_SKIP_REASON})`, () => {
    it.runIf(!HAS_TORCH)('has PyTorch', () => {
      throw new Error(`CI=true but ${TORCH_SKIP_REASON}; the PyTorch parity suites must run in CI`);
    });
    if (HAS_TORCH) body();
  });
}
