// Crash safety, part 2: SIGKILL `multicrop train` while it writes a checkpoint; the previous one stays complete and is used.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrashHarness, type KillOutcome, sleep } from './crash-harness';
import { tinyConfig } from './tiny-run';

const TRIALS = Number(process.env.MULTICROP_CRASH_TRIALS ?? 10);
// A checkpoint after every step, so most of the time after start is spent near a write.
const h = new CrashHarness(tinyConfig({ backend: 'wasm', checkpointEvery: 1, epochs: 400 }));
beforeAll(() => h.setup());
afterAll(() => rmSync(h.root, { recursive: true, force: true }));

describe('SIGKILL during checkpoint writes', () => {
  it(`survives ${TRIALS} kills inside a checkpoint write`, async () => {
    const log: KillOutcome[] = [];
    let inside = 0;
    for (let t = 0; t < TRIALS; t++) {
      log.push(
        await h.killTrial(t, 'during-checkpoint-write', async (run) => {
          // kill inside the 1st, 2nd or 3rd write of this process, at a random point of it
          const nth = 1 + Math.floor(h.rand() * 3);
          const seen = new Set<string>();
          const hit = await h.waitFor(() => {
            const now = h.checkpointWrites();
            for (const n of now) seen.add(n);
            return seen.size >= nth && now.length > 0;
          }, run.child, 1);
          if (hit) inside++;
          await sleep(h.rand() * 3);
        }),
      );
    }
    console.log(`crash-kill-checkpoint-write: ${TRIALS} kills survived, ${inside} with a checkpoint temp folder present; steps lost: ${log.map((l) => l.lost).join(',')}`);
    expect(inside).toBe(TRIALS);
    expect(log.at(-1)!.checkpoint).toBeGreaterThan(0);
  }, 240_000);
});
