// Test support: the real engine dispatcher on a temporary app-data folder, a generated data folder the person opened, its events recorded, and call() / fail() that unwrap envelopes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Envelope, EventName } from '../../src/shared/ipc-contract';
import { createDispatcher } from '../../src/engine/engine-dispatcher';
import { trainControllerFor } from '../../src/engine/handlers/train-handlers';

export interface EngineOnData {
  /** The temporary folder holding `data` and the app data ('appdata'). */
  root: string;
  /** The data folder, written by `writeData` before the tests and opened (as folders:open would). */
  data: string;
  engine: ReturnType<typeof createDispatcher>;
  /** Every event the engine emitted, in order. */
  events: { event: EventName; payload: unknown }[];
  /** The envelope a channel answers. */
  dispatch<T>(channel: string, req: unknown): Promise<Envelope<T>>;
  /** The value a channel answers; throws `<channel>: <code>: <message>` on a failure. */
  call<T>(channel: string, req: unknown): Promise<T>;
  /** The failure a channel answers; throws if it succeeds. */
  fail(channel: string, req: unknown): Promise<{ code: string; message: string }>;
}

/**
 * A dispatcher for one test file (call at the top of the file): before the tests `writeData(data)` fills the data
 * folder and the engine opens it; after them any training settles and the folder is removed.
 */
export function engineOnData(prefix: string, writeData: (dir: string) => Promise<unknown>): EngineOnData {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const data = join(root, 'data');
  const events: EngineOnData['events'] = [];
  const engine = createDispatcher({ dataDir: join(root, 'appdata'), emit: (event, payload) => events.push({ event, payload }) });
  beforeAll(async () => {
    await writeData(data);
    engine.roots.allow(data); // the person opened it (folders:open)
  });
  afterAll(async () => {
    await trainControllerFor(engine.ctx).settle();
    rmSync(root, { recursive: true, force: true });
  });
  const dispatch = async <T>(channel: string, req: unknown) => (await engine.dispatch(channel, req)) as Envelope<T>;
  return {
    root,
    data,
    engine,
    events,
    dispatch,
    async call<T>(channel: string, req: unknown): Promise<T> {
      const r = await dispatch<T>(channel, req);
      if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
      return r.value;
    },
    async fail(channel: string, req: unknown) {
      const r = await dispatch(channel, req);
      if (r.ok) throw new Error(`${channel} unexpectedly succeeded`);
      return r.error;
    },
  };
}
