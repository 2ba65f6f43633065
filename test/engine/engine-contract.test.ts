// Every channel, through the real engine dispatcher, rejects malformed requests (wrong types, extra keys, NaN, huge strings) with an error envelope and no side effect.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { augmentPart, RECIPE_DEFAULTS } from '../../src/shared/config-schema';
import { CHANNELS, parseRequest, type Channel, type ChannelRequest } from '../../src/shared/ipc-contract';
import { createDispatcher, type EngineDispatcher } from '../../src/engine/engine-dispatcher';
import { handlerTable } from '../../src/engine/handlers';
import type { PartialHandlerTable } from '../../src/engine/handlers/handler-types';
import { createNodeEngineClient } from '../../src/engine/engine-client-node';
import { CHANNEL_LIST, channelMethod, createStudioApi } from '../../src/shared/studio-api-factory';
import { methodName } from '../../src/shared/ipc-contract';

const augment = augmentPart(RECIPE_DEFAULTS);
/** One well-formed request per channel: each malformed variant below differs from it in exactly one place. */
const VALID: { [C in Channel]: ChannelRequest<C> } = {
  'app:info': {},
  'backend:info': {},
  'fs:listDir': { path: '/tmp' },
  'dataset:pickFolder': {},
  'dataset:openSample': {},
  'dataset:recent': {},
  'dataset:scan': { path: '/data/images' },
  'folders:open': { path: '/data/images' },
  'folders:list': {},
  'folders:remove': { path: '/data/images' },
  'augment:preview': { image: '/data/images/a.jpg', config: augment, seed: 1 },
  'augment:stats': { config: augment, seed: 1, samples: 10, width: 100, height: 80 },
  'config:validate': { config: {} },
  'schedules:preview': { config: RECIPE_DEFAULTS, datasetSize: 100, points: 10 },
  'memory:estimate': { config: RECIPE_DEFAULTS },
  'train:probe': { config: RECIPE_DEFAULTS },
  'train:start': { dataset: '/data/images', config: RECIPE_DEFAULTS },
  'train:pause': { runId: 'run-1' },
  'train:resume': { runId: 'run-1' },
  'train:stop': { runId: 'run-1' },
  'train:status': {},
  'runs:list': {},
  'runs:get': { runId: 'run-1' },
  'eval:knn': { source: { runId: 'run-1' }, train: '/data/train', val: '/data/val', k: 20 },
  'eval:neighbours': { source: { weights: '/w.safetensors' }, train: '/data/train', image: '/data/a.jpg', k: 5 },
  'eval:attention': { source: { runId: 'run-1' }, image: '/data/a.jpg', threshold: 0.6 },
  'export:run': { runId: 'run-1', format: 'safetensors', network: 'student' },
  'export:save': { runId: 'run-1', format: 'torchrun' },
  'eval:history': { runId: 'run-1' },
  'dataset:cancelScan': { jobId: 'scan-1' },
};

const HUGE = 'x'.repeat(1_000_000);

/** Malformed variants of a channel's valid request: [description, request]. */
function malformed(channel: Channel): [string, unknown][] {
  const valid = VALID[channel] as Record<string, unknown>;
  const out: [string, unknown][] = [
    ['a number instead of an object', 42],
    ['null', null],
    ['an array', []],
    ['a string', 'request'],
    ['an extra key', { ...valid, extra: 1 }],
    ['a prototype-polluting key', JSON.parse(`{${Object.entries(valid).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).concat('"__proto__":{"polluted":1}').join(',')}}`)],
  ];
  for (const [key, value] of Object.entries(valid)) {
    out.push([`${key} = NaN`, { ...valid, [key]: Number.NaN }]);
    out.push([`${key} = a 1 MB string`, { ...valid, [key]: HUGE }]);
    out.push([`${key} = null`, { ...valid, [key]: null }]);
    out.push([`${key} of the wrong type`, { ...valid, [key]: typeof value === 'number' ? String(value) : typeof value === 'string' ? 7 : true }]);
    // (an empty object here is config:validate's free-form record, which its handler checks key by key)
    if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      const inner = value as Record<string, unknown>;
      out.push([`${key} with an extra key`, { ...valid, [key]: { ...inner, extra: 1 } }]);
      const numeric = Object.keys(inner).find((k) => typeof inner[k] === 'number');
      if (numeric) out.push([`${key}.${numeric} = NaN`, { ...valid, [key]: { ...inner, [numeric]: Number.NaN } }]);
      const tuple = Object.keys(inner).find((k) => Array.isArray(inner[k]));
      if (tuple) out.push([`${key}.${tuple} with NaN`, { ...valid, [key]: { ...inner, [tuple]: (inner[tuple] as unknown[]).map(() => Number.NaN) } }]);
    }
  }
  return out;
}

/** Every file under `dir` with size and mtime: a side effect changes this listing. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p);
      out.push(`${p}:${s.size}:${s.mtimeMs}`);
      if (s.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

let dataDir: string;
let dispatcher: EngineDispatcher;
let spied: EngineDispatcher;
const called: string[] = [];
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'contract-'));
  dispatcher = createDispatcher({ dataDir, emit: () => undefined });
  // The same dispatcher over the real handlers, recording which ones ran.
  const recording: Record<string, unknown> = {};
  for (const [ch, h] of Object.entries(handlerTable)) {
    recording[ch] = (req: never, ctx: never) => {
      called.push(ch);
      return (h as (r: never, c: never) => Promise<unknown>)(req, ctx);
    };
  }
  spied = createDispatcher({ dataDir, emit: () => undefined, table: recording as PartialHandlerTable });
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the request schemas', () => {
  it('accept the well-formed request of every channel (so each variant below fails for its one defect)', () => {
    expect(Object.keys(VALID).sort()).toEqual([...CHANNELS].sort());
    for (const ch of CHANNELS) expect(parseRequest(ch, VALID[ch]).ok, ch).toBe(true);
  });
  it('the preload/web channel list and method names match the contract', () => {
    expect([...CHANNEL_LIST].sort()).toEqual([...CHANNELS].sort());
    for (const ch of CHANNELS) expect(channelMethod(ch)).toBe(methodName(ch));
  });
});

describe.each(CHANNELS.map((c) => [c]))('%s', (channel) => {
  it('rejects every malformed request with an invalid_request envelope, running no handler and writing nothing', async () => {
    const before = snapshot(dataDir);
    called.length = 0;
    for (const [what, request] of malformed(channel)) {
      const r = await spied.dispatch(channel, request);
      expect(r.ok, `${channel} with ${what}`).toBe(false);
      if (!r.ok) {
        // main-only channels are refused by the engine whatever the request
        const want = channel === 'dataset:pickFolder' || channel === 'export:save' ? 'unsupported' : 'invalid_request';
        expect(r.error.code, `${channel} with ${what}: ${r.error.message}`).toBe(want);
        expect(r.error.message.length).toBeLessThan(2000);
      }
    }
    expect(called).toEqual([]);
    expect(snapshot(dataDir)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('the dispatcher', () => {
  it('refuses unknown channels and answers unsupported for channels nobody handles', async () => {
    for (const ch of ['nope', '__proto__', 'constructor', 42, null]) {
      expect(await dispatcher.dispatch(ch, {})).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    }
    const empty = createDispatcher({ dataDir, emit: () => undefined, table: {} });
    expect(await empty.dispatch('runs:list', {})).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });
  it('turns thrown errors into envelopes', async () => {
    const failing = createDispatcher({
      dataDir,
      emit: () => undefined,
      table: {
        'runs:list': async () => {
          throw new Error('disk on fire');
        },
      },
    });
    const r = await failing.dispatch('runs:list', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(!r.ok && r.error.message).toContain('disk on fire');
  });
});

describe('the forked engine process', () => {
  it('answers over IPC, rejects malformed requests, and restarts after a crash with a clear error for the lost call', async () => {
    const engine = createNodeEngineClient({ dataDir, from: import.meta.url });
    try {
      const info = await engine.call('app:info', {});
      expect(info).toMatchObject({ ok: true, value: { dataDir, runsDir: join(dataDir, 'runs') } });
      expect(await engine.callRaw('fs:listDir', { path: Number.NaN })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
      expect(await engine.callRaw('fs:listDir', { path: HUGE })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
      expect(await engine.callRaw('no:such', {})).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
      // the window-facing API over this engine: one function per channel, each bound to its channel
      const api = createStudioApi({ call: (ch, req) => engine.callRaw(ch, req), on: () => () => undefined, imageUrl: () => '' });
      expect(await api.fsListDir({ path: dataDir })).toMatchObject({ ok: true });
      expect('invoke' in api).toBe(false);
      const lost = engine.call('dataset:recent', {});
      engine.killEngine();
      const r = await lost;
      if (!r.ok) expect(r.error.message).toMatch(/engine process exited/);
      expect(await engine.call('app:info', {})).toMatchObject({ ok: true });
      expect(engine.starts).toBe(2);
    } finally {
      await engine.dispose();
    }
  });
});
