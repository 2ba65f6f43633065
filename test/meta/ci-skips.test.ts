// The rule for suites that need ../shared or PyTorch: on a user's machine they skip with the reason; with CI=true they fail (a skipped golden suite must not read as "0 failed").
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared-fixtures';

const work = mkdtempSync(join(tmpdir(), 'ci-skips-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// One golden suite (describeShared), one single golden test (it.skipIf), one PyTorch parity suite (describeTorch).
const FILES = ['test/engine/train/dino-math-golden.test.ts', 'test/engine/io/safetensors.test.ts', 'test/engine/io/torch-interop.test.ts'];

interface Report {
  numFailedTests: number;
  numPendingTests: number;
  numPassedTests: number;
  testResults: { assertionResults: { status: string; title: string; failureMessages: string[] }[] }[];
}

/** Run the files in a child vitest with ../shared and torch both made unreachable. */
function runWithout(ci: string): { report: Report; output: string } {
  const out = join(work, `report-${ci || 'none'}.json`);
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...FILES, '--reporter=json', `--outputFile=${out}`], {
    cwd: REPO_ROOT,
    env: { ...process.env, CI: ci, MULTICROP_SHARED_DIR: join(work, 'no-shared'), MULTICROP_PYTHON: join(work, 'no-python') },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { report: JSON.parse(readFileSync(out, 'utf8')) as Report, output: `${r.stdout}\n${r.stderr}` };
}

describe('suites that need ../shared or PyTorch', () => {
  it('skip with the reason on a user\'s machine (CI unset): nothing fails, nothing claims to pass', () => {
    const { report, output } = runWithout('');
    expect(report.numFailedTests, output.slice(-3000)).toBe(0);
    expect(report.numPendingTests).toBeGreaterThanOrEqual(FILES.length);
    // The reason is in the skipped suites' names (what a reporter prints next to "skipped").
    const text = JSON.stringify(report);
    expect(text).toMatch(/\.\.\/shared not found at [^"]*no-shared/);
    expect(text).toMatch(/PyTorch is not importable by [^"]*no-python/);
  });

  it('fail with CI=true, each kind naming what is missing', () => {
    const { report, output } = runWithout('true');
    const failed = report.testResults.flatMap((f) => f.assertionResults).filter((a) => a.status === 'failed');
    const messages = failed.map((a) => a.failureMessages.join('\n')).join('\n');
    expect(failed.length, output.slice(-3000)).toBeGreaterThanOrEqual(3);
    expect(messages).toMatch(/CI=true but \.\.\/shared is missing/);
    expect(messages).toMatch(/CI=true but PyTorch is not importable/);
  });
});
