// Test support: waiting for a condition (polling, with a named timeout) and plain sleeps.
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolve once `cond` holds; fail with `timed out waiting for <what>` after `ms`; check every `everyMs`. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 60_000, everyMs = 20): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
