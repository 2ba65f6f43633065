// .ci/run's last line adds up every Node line's `npm test` totals (scripts/sum-test-runs.mjs), and a run that left no summary is a failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sumTestRuns } from '../../scripts/sum-test-runs.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'multicrop-sum-'));
  dirs.push(d);
  return d;
}

describe('sumTestRuns', () => {
  it('adds passed, failed and skipped over runs', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.json'), JSON.stringify({ node: 'v22.23.5', passed: 300, failed: 2, skipped: 1 }));
    writeFileSync(join(d, 'b.json'), JSON.stringify({ node: 'v24.22.3', passed: 301, failed: 0, skipped: 1 }));
    const r = sumTestRuns([
      { label: 'Node 22', file: join(d, 'a.json') },
      { label: 'Node 24', file: join(d, 'b.json') },
    ]);
    expect([r.passed, r.failed, r.skipped]).toEqual([601, 2, 2]);
    expect(r.lines[1]).toBe('Node 24 (v24.22.3): 301 passed, 0 failed, 1 skipped');
  });

  it('counts a missing or broken summary as one failure', () => {
    const d = tmp();
    writeFileSync(join(d, 'ok.json'), JSON.stringify({ node: 'v22.23.5', passed: 5, failed: 0, skipped: 0 }));
    writeFileSync(join(d, 'broken.json'), '{"passed": ');
    const r = sumTestRuns([
      { label: 'a', file: join(d, 'ok.json') },
      { label: 'b', file: join(d, 'broken.json') },
      { label: 'c', file: join(d, 'absent.json') },
    ]);
    expect([r.passed, r.failed]).toEqual([5, 2]);
  });

  it('as a command ends with the plain sum line and exits 1 when anything failed', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.json'), JSON.stringify({ node: 'v22.23.5', passed: 3, failed: 1, skipped: 0 }));
    writeFileSync(join(d, 'b.json'), JSON.stringify({ node: 'v24.22.3', passed: 4, failed: 0, skipped: 2 }));
    const r = spawnSync(process.execPath, ['scripts/sum-test-runs.mjs', `n22=${join(d, 'a.json')}`, `n24=${join(d, 'b.json')}`], { encoding: 'utf8' });
    const lines = r.stdout.trim().split('\n');
    expect(lines[lines.length - 1]).toBe('7 passed, 1 failed');
    expect(r.status).toBe(1);
  });
});
