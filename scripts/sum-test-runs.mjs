// Adds up the summaries that `npm test` wrote (MULTICROP_TEST_SUMMARY) over several runs, e.g. one per Node line in .ci/run; ends with one "N passed, N failed" line.
import { existsSync, readFileSync } from 'node:fs';

/**
 * Totals over run summaries; a run whose summary is missing or unreadable (the run crashed before writing it)
 * counts as one failure, so the sum can never be greener than the runs.
 * @param {{ label: string, file: string }[]} runs
 */
export function sumTestRuns(runs) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const lines = [];
  for (const { label, file } of runs) {
    let s = null;
    try {
      if (existsSync(file)) s = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      s = null;
    }
    if (!s || !Number.isInteger(s.passed) || !Number.isInteger(s.failed)) {
      failed += 1;
      lines.push(`${label}: no test summary (${file}); counted as one failure`);
      continue;
    }
    passed += s.passed;
    failed += s.failed;
    skipped += s.skipped ?? 0;
    lines.push(`${label} (${s.node}): ${s.passed} passed, ${s.failed} failed, ${s.skipped ?? 0} skipped`);
  }
  return { passed, failed, skipped, lines };
}

// CLI: node scripts/sum-test-runs.mjs LABEL=FILE ... (exit 1 when anything failed).
if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = process.argv.slice(2).map((arg) => {
    const at = arg.indexOf('=');
    return at > 0 ? { label: arg.slice(0, at), file: arg.slice(at + 1) } : { label: arg, file: arg };
  });
  const { passed, failed, skipped, lines } = sumTestRuns(runs);
  console.log('\n' + lines.join('\n'));
  if (skipped) console.log(`${skipped} skipped in all`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || runs.length === 0 ? 1 : 0);
}
