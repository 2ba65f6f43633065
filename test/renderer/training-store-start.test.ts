// The training store against the real engine dispatcher (in process): one Start gives one run, even when it is pressed twice before the answer; a step-time probe refused while the run trains is no error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPinia, setActivePinia } from 'pinia';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Envelope, EventName, RunSummary, TrainStatus } from '../../src/shared/ipc-contract';
import type { StudioConfig } from '../../src/shared/config-schema';
import { createStudioApi } from '../../src/shared/studio-api-factory';
import { createDispatcher } from '../../src/engine/engine-dispatcher';
import { trainControllerFor } from '../../src/engine/handlers/train-handlers';
import { tinyConfig, writeTinyDataset } from '../engine/train/tiny-run';

const root = mkdtempSync(join(tmpdir(), 'mc-train-store-'));
const data = join(root, 'data');
const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
const engine = createDispatcher({
  dataDir: join(root, 'appdata'),
  emit: (event, payload) => listeners.get(event)?.forEach((l) => l(payload)),
});
const channelCalls: Channel[] = [];

/** The part of the training store this test drives (src/renderer/src/stores/training-store.ts). */
interface TrainingStore {
  init(): Promise<void>;
  start(dataset: string, config: StudioConfig): Promise<void>;
  control(action: 'stop'): Promise<void>;
  measureStep(config: StudioConfig): Promise<void>;
  readonly probe: { msPerStep: number } | null;
  readonly probeError: string | null;
  readonly runId: string | null;
  readonly active: boolean;
  readonly status: TrainStatus | null;
}

beforeAll(async () => {
  await writeTinyDataset(data, 12);
  engine.roots.allow(data); // the person opened it (folders:open)
  // The page's window.studio, over the engine's own dispatcher instead of a WebSocket.
  const studio = createStudioApi({
    call: (channel, request) => {
      channelCalls.push(channel);
      return engine.dispatch(channel, request) as Promise<Envelope<unknown>>;
    },
    on: (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set.add(listener));
      return () => set.delete(listener);
    },
    imageUrl: () => '',
  });
  (globalThis as { window?: unknown }).window = { studio };
});
afterAll(async () => {
  await trainControllerFor(engine.ctx).settle();
  delete (globalThis as { window?: unknown }).window;
  rmSync(root, { recursive: true, force: true });
});

describe('training store: Start', () => {
  it('pressed twice before the engine answers starts exactly one run and reports no error', async () => {
    // Imported by a computed path: the stores are DOM code (typechecked with the renderer), this test runs under Node.
    const stores = '../../src/renderer/src/stores';
    const { useTrainingStore } = (await import(`${stores}/training-store`)) as { useTrainingStore: () => TrainingStore };
    const { useAppStore } = (await import(`${stores}/app-store`)) as { useAppStore: () => { toasts: unknown[] } };
    setActivePinia(createPinia());
    const tr = useTrainingStore();
    const app = useAppStore();
    await tr.init();
    const config = tinyConfig({ backend: 'wasm', epochs: 50, checkpointEvery: 5 });

    // A double click (or Enter and a click) before the first answer arrives.
    await Promise.all([tr.start(data, config), tr.start(data, config)]);

    expect(channelCalls.filter((c) => c === 'train:start')).toHaveLength(1);
    expect(app.toasts).toEqual([]); // no 'busy' refusal of a second start shown to the person
    const r = (await engine.dispatch('runs:list', {})) as Envelope<RunSummary[]>;
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.map((s) => s.runId)).toEqual([tr.runId]);
    expect(tr.active).toBe(true);

    // While the run goes, Start does nothing either.
    await tr.start(data, config);
    expect(channelCalls.filter((c) => c === 'train:start')).toHaveLength(1);

    // A step-time probe that reaches the engine while the run trains is refused ('busy'): nothing to show as an error,
    // the screen times the settings again once the run ends.
    const probeConfig = { ...config, batchSize: 3 }; // not cached by an earlier probe
    await tr.measureStep(probeConfig);
    expect(channelCalls.at(-1)).toBe('train:probe');
    expect(tr.probe).toBeNull();
    expect(tr.probeError).toBeNull();

    await tr.control('stop');
    await trainControllerFor(engine.ctx).settle();
    expect(tr.status?.state).toBe('stopped');
  });
});
