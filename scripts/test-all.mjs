// `npm test`: type-check, lint, build, unit tests (vitest) and end-to-end tests (Playwright); ends with "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const steps = [];
function run(name, cmd, args, env = {}) {
  const started = Date.now();
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const seconds = (Date.now() - started) / 1000;
  const ok = r.status === 0;
  steps.push({ name, ok, seconds });
  console.log(`=== ${name}: ${ok ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${seconds.toFixed(1)} s`);
  return ok;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

run('typecheck', npm, ['run', '--silent', 'typecheck']);
run('lint', npm, ['run', '--silent', 'lint']);
const built = run('build', npm, ['run', '--silent', 'build']);

let passed = 0;
let failed = 0;
let skipped = 0;

// Electronegativity over src/ and the build, offline: counts as one test (fails on a finding not explained in its allowlist).
if (run('electronegativity', process.execPath, ['scripts/electronegativity.mjs'])) passed += 1;
else failed += 1;

// Unit and integration tests.
const vitestJson = join(results, 'vitest.json');
rmSync(vitestJson, { force: true });
const vitestOk = run('vitest', npx, ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`], built ? { MULTICROP_TEST_BUILT: '1' } : {});
const v = readJson(vitestJson);
if (v) {
  passed += v.numPassedTests ?? 0;
  failed += v.numFailedTests ?? 0;
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
  // A test file that fails to load has no test results: count it as one failure.
  for (const file of v.testResults ?? []) if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed += 1;
  // vitest failing with no failed test (an unhandled error between tests, a worker that died): one failure, not a green line.
  if (!vitestOk && (v.numFailedTests ?? 0) === 0 && !(v.testResults ?? []).some((f) => f.status === 'failed')) {
    console.log('vitest exited with an error but no failed test (see "Unhandled" above): counting it as one failure');
    failed += 1;
  }
} else {
  console.log('vitest wrote no JSON report: counting the unit tests as one failure');
  failed += 1;
}

// End-to-end tests (need the build).
const pwJson = join(results, 'playwright.json');
rmSync(pwJson, { force: true });
if (built) {
  const playwrightOk = run('playwright', npx, ['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson });
  const p = readJson(pwJson);
  if (p && p.stats) {
    passed += (p.stats.expected ?? 0) + (p.stats.flaky ?? 0);
    failed += p.stats.unexpected ?? 0;
    skipped += p.stats.skipped ?? 0;
    if (!playwrightOk && (p.stats.unexpected ?? 0) === 0) {
      console.log('Playwright exited with an error but no failed test (a global error, see above): counting it as one failure');
      failed += 1;
    }
  } else {
    console.log('Playwright wrote no JSON report: counting the end-to-end tests as one failure');
    failed += 1;
  }
} else {
  console.log('Skipping the end-to-end tests: the build failed');
  failed += 1;
}

// typecheck, lint and build are one check each: a failed one counts as a failure, so the last line is never green when the run is not.
const stepFailures = steps.filter((s) => !s.ok && ['typecheck', 'lint', 'build'].includes(s.name));
failed += stepFailures.length;
console.log('\nSteps: ' + steps.map((s) => `${s.name} ${s.ok ? 'ok' : 'FAILED'} (${s.seconds.toFixed(0)} s)`).join(', '));
if (stepFailures.length) console.log(`Failed steps (one failure each): ${stepFailures.map((s) => s.name).join(', ')}`);
if (!existsSync(join(root, '../shared'))) console.log('Note: ../shared is absent, so tests on the real dataset and golden values were skipped.');
// MULTICROP_TEST_SUMMARY=FILE: the totals as JSON too, for .ci/run to add up over Node lines.
if (process.env.MULTICROP_TEST_SUMMARY) {
  const summary = { node: process.version, passed, failed, skipped, steps };
  writeFileSync(process.env.MULTICROP_TEST_SUMMARY, JSON.stringify(summary, null, 2) + '\n');
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
