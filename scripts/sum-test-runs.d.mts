// Types of scripts/sum-test-runs.mjs for the tests that import it.
export function sumTestRuns(runs: { label: string; file: string }[]): { passed: number; failed: number; skipped: number; lines: string[] };
