// Types of scripts/electronegativity.mjs for the tests that import it.
export function parseCsv(text: string): string[][];
export function parseReport(text: string): string[][];
export function runElectronegativity(opts?: Record<string, unknown>): unknown;
