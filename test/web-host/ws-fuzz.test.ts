// Web-host fuzzing: seeded malformed calls and raw frames over the token-guarded WebSocket to the real forked engine; envelopes only, no file touched, engine never restarted.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngineClient } from '../../src/engine/engine-client-node';
import type { ForkedEngineClient } from '../../src/engine/engine-client';
import { startWebHost, type WebHost } from '../../src/web-host/web-host';
import { CHANNELS } from '../../src/shared/ipc-contract';
import { WS_MAX_PAYLOAD } from '../../src/shared/ws-protocol';
import { checkAnswer, newTally } from '../support/check-envelope';
import { fuzzAll, TINY_AUGMENT } from '../support/fuzz-requests';
import { hashTree, looksPolluted, makeFuzzSandbox, prototypeSnapshot, type FuzzSandbox } from '../support/fuzz-sandbox';
import { openWs, WsCaller } from '../support/http-probe';

const SEED = Number(process.env.MULTICROP_FUZZ_SEED ?? 20261127) + 1;
const PER_CHANNEL = Number(process.env.MULTICROP_WS_FUZZ_PER_CHANNEL ?? 100);
const IN_FLIGHT = 8;

let s: FuzzSandbox;
let engine: ForkedEngineClient;
let host: WebHost;
let headers: Record<string, string>;

beforeAll(async () => {
  s = await makeFuzzSandbox('ws-fuzz-');
  writeFileSync(join(s.dataDir, 'allowed-roots.json'), JSON.stringify({ roots: [s.datasetDir], recent: [s.datasetDir] }));
  engine = createNodeEngineClient({ dataDir: s.dataDir, from: import.meta.url });
  host = await startWebHost({ engine, port: 0, rendererDir: join(s.base, 'no-renderer') });
  headers = { Origin: `http://127.0.0.1:${host.port}`, Cookie: `multicrop_token_${host.port}=${host.token}` };
  // start the engine (and let it read its roots) before the data folder is hashed
  const { ws } = await openWs(host.port, headers);
  const warm = new WsCaller(ws!);
  expect(await warm.call('app:info', {})).toMatchObject({ ok: true });
  warm.close();
});
afterAll(async () => {
  await host?.close();
  await engine?.dispose();
  s?.dispose();
});

describe('the web host WebSocket under fuzzing', () => {
  it(`answers ${PER_CHANNEL} generated calls per channel with envelopes; the engine never restarts and no file changes`, async () => {
    const before = { sandbox: hashTree(s.base), protos: prototypeSnapshot() };
    const starts = engine.starts;
    const { ws } = await openWs(host.port, headers);
    const caller = new WsCaller(ws!);
    const cases = fuzzAll(s, SEED, PER_CHANNEL);
    const tally = newTally();
    const failures: string[] = [];
    let oversized = 0;
    for (let i = 0; i < cases.length; i += IN_FLIGHT) {
      const batch = cases.slice(i, i + IN_FLIGHT);
      await Promise.all(
        batch.map(async (c) => {
          const size = Buffer.byteLength(JSON.stringify({ t: 'call', id: 1e9, channel: c.channel, request: c.request }) ?? '');
          if (size > WS_MAX_PAYLOAD) {
            // Too big for the wire: the host must drop that socket (1009), not the process. Tried on a throwaway socket.
            oversized++;
            const spare = new WsCaller((await openWs(host.port, headers)).ws!);
            const lost = await spare.call(c.channel, c.request);
            if ((lost as { closed?: number }).closed !== 1009 && failures.length < 20) failures.push(`${c.channel} [${c.mutation}]: oversized call answered ${JSON.stringify(lost).slice(0, 100)}`);
            return;
          }
          const answer = await caller.call(c.channel, c.request);
          // JSON carries NaN/Infinity as null and drops undefined: the expectations still hold (null is never valid either).
          const wrong = checkAnswer({ ...c, request: JSON.parse(JSON.stringify({ r: c.request })).r }, answer, tally);
          if (wrong && failures.length < 20) failures.push(`${c.channel} [${c.mutation}]: ${wrong}`);
        }),
      );
      if (caller.closed) {
        failures.push(`the socket closed (${caller.closed.code}) after case ${i}`);
        break;
      }
    }
    console.log(`ws-fuzz: ${tally.sent + oversized} calls over ${CHANNELS.length} channels (${oversized} oversized, closed with 1009), ${tally.ok} valid answers, errors ${JSON.stringify(tally.errors)}`);
    expect(failures, failures.join('\n')).toEqual([]);
    expect(caller.stray, 'answers with ids nobody asked for').toEqual([]);
    expect(engine.starts, 'the engine process crashed and was restarted').toBe(starts);
    expect(looksPolluted()).toBe(false);
    expect(prototypeSnapshot()).toBe(before.protos);
    expect(hashTree(s.base), 'the sandbox (data folder, opened dataset, outside folder) changed').toBe(before.sandbox);
    caller.close();
  });

  it('answers malformed frames with an invalid_request envelope, ignores binary frames, and keeps the socket usable', async () => {
    const { ws } = await openWs(host.port, headers);
    const caller = new WsCaller(ws!);
    const frames: string[] = [
      'not json',
      '',
      'null',
      '[]',
      '"call"',
      '{"t":"call"}',
      '{"t":"call","id":"1","channel":"app:info","request":{}}',
      '{"t":"call","id":1.5,"channel":"app:info","request":{}}',
      '{"t":"call","id":9007199254740993,"channel":"app:info","request":{}}',
      '{"t":"call","id":1,"channel":7,"request":{}}',
      '{"t":"event","id":1,"channel":"app:info"}',
      '{"__proto__":{"t":"call","id":1,"channel":"app:info"}}',
      '{"t":"call","id":1,"channel":"app:info","request":{}',
      '{'.repeat(100_000),
    ];
    for (const f of frames) ws!.send(f);
    ws!.send(Buffer.from([0, 1, 2, 3]), { binary: true });
    const odd = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'app:info ', 'APP:INFO', 'shell:exec', '../app:info', ''];
    const answers = await Promise.all(odd.map((ch) => caller.call(ch, {})));
    for (const [i, a] of answers.entries()) expect(a, odd[i]).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await caller.call('augment:preview', { image: s.datasetImage, config: TINY_AUGMENT, seed: 2 })).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(caller.stray.length).toBe(frames.length);
    for (const m of caller.stray) expect(m).toMatchObject({ t: 'result', id: -1, envelope: { ok: false, error: { code: 'invalid_request' } } });
    expect(looksPolluted()).toBe(false);
    caller.close();
  });

  it('survives 100 000-deep JSON in a call (parser and engine hand-off) with an error envelope', async () => {
    const { ws } = await openWs(host.port, headers);
    const caller = new WsCaller(ws!);
    const n = 100_000;
    const deep = '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const deepArr = '['.repeat(n) + ']'.repeat(n);
    const answers: unknown[] = [];
    const got = new Promise<void>((resolve) => {
      ws!.on('message', (d) => {
        answers.push(JSON.parse(d.toString()));
        if (answers.length === 3) resolve();
      });
    });
    ws!.send(`{"t":"call","id":71,"channel":"config:validate","request":{"config":${deep}}}`);
    ws!.send(`{"t":"call","id":72,"channel":"augment:stats","request":${deepArr}}`);
    ws!.send(`{"t":"call","id":73,"channel":"fs:listDir","request":{"path":${deep}}}`);
    await got;
    for (const a of answers) expect(a, JSON.stringify(a).slice(0, 300)).toMatchObject({ t: 'result', envelope: { ok: false } });
    expect(await caller.call('app:info', {})).toMatchObject({ ok: true });
    caller.close();
  });

  it('still serves: a fresh client gets app:info and a preview of an opened image', async () => {
    const caller = new WsCaller((await openWs(host.port, headers)).ws!);
    expect(await caller.call('app:info', {})).toMatchObject({ ok: true, value: { mode: 'web' } });
    expect(await caller.call('augment:preview', { image: s.datasetImage, config: TINY_AUGMENT, seed: 3 })).toMatchObject({ ok: true });
    caller.close();
  });
});
