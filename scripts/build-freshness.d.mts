// Types of scripts/build-freshness.mjs for the tests that import it.
export const BUILD_OUTPUTS: string[];
export const BUILD_INPUTS: string[];
export function buildStaleReason(root: string): string | null;
