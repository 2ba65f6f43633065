// `multicrop serve` in its own process under bursts of malformed requests, cookies, upgrades, frames and messages on loopback: it never exits, answers after every burst, and a training run keeps training.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRng } from '../../src/engine/util/seeded-rng';
import type { TrainStatus } from '../../src/shared/ipc-contract';
import { REPO_ROOT } from '../support/shared-fixtures';
import { fuzzAll } from '../support/fuzz-requests';
import { makeFuzzSandbox, type FuzzSandbox } from '../support/fuzz-sandbox';
import { inParallel, malformedFrame, malformedRequest, sendRaw, validUpgrade, type WireTarget } from '../support/fuzz-wire';
import { openWs, probe, WsCaller } from '../support/http-probe';
import { tinyConfig, writeTinyDataset } from '../engine/train/tiny-run';

const SEED = Number(process.env.MULTICROP_FUZZ_SEED ?? 20261201);
const SCALE = Number(process.env.MULTICROP_HOST_FUZZ_SCALE ?? 1);
const BURSTS = { requests: 1500 * SCALE, upgrades: 600 * SCALE, frameConnections: 400 * SCALE, messagesPerChannel: 30 * SCALE };

let s: FuzzSandbox;
let child: ChildProcess;
let stderr = '';
let target: WireTarget;
let headers: Record<string, string>;
let runId = '';
const tried: Record<string, number> = {};

async function startServe(dataDir: string): Promise<{ port: number; token: string }> {
  child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'serve', '--port', '0', '--json'], {
    cwd: REPO_ROOT,
    env: { ...process.env, MULTICROP_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const info = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{') && l.includes('"url"'));
      if (line) resolve(JSON.parse(line) as { url: string; port: number });
    });
    child.once('exit', (code) => reject(new Error(`multicrop serve exited (code ${code}) before printing its URL:\n${stderr}`)));
  });
  return { port: info.port, token: new URL(info.url).searchParams.get('token')! };
}

async function withCaller<T>(job: (c: WsCaller) => Promise<T>): Promise<T> {
  const { ws, status } = await openWs(target.port, headers);
  if (!ws) throw new Error(`the WebSocket upgrade was refused (${status}); host stderr:\n${stderr.slice(-2000)}`);
  const c = new WsCaller(ws);
  try {
    return await job(c);
  } finally {
    c.close();
  }
}

async function status(): Promise<TrainStatus> {
  const r = (await withCaller((c) => c.call('train:status', {}))) as { ok: boolean; value: TrainStatus };
  expect(r.ok).toBe(true);
  return r.value;
}

let lastStep = -1;
/** The host process is alive, answers HTTP and the WebSocket, and the run took a step since the last check. */
async function expectHealthy(after: string): Promise<void> {
  expect(child.exitCode, `multicrop serve exited after ${after}:\n${stderr.slice(-3000)}`).toBeNull();
  expect(child.signalCode).toBeNull();
  const page = await probe(target.port, '/', { Cookie: target.cookie });
  expect([200, 503], `GET / after ${after}`).toContain(page.status);
  expect(await withCaller((c) => c.call('app:info', {})), `app:info after ${after}`).toMatchObject({ ok: true });
  // Liveness, not speed: wait (bounded) until the run has taken another step.
  for (let i = 0; i < 600; i++) {
    const st = await status();
    expect(st.runId).toBe(runId);
    expect(['running', 'starting'], `run state after ${after}: ${st.error ?? ''}`).toContain(st.state);
    if (st.step > lastStep) {
      lastStep = st.step;
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the run took no step within 120 s after ${after}`);
}

beforeAll(async () => {
  s = await makeFuzzSandbox('host-crash-fuzz-');
  const data = join(s.base, 'train-data');
  await writeTinyDataset(data, 12, 5);
  const { port, token } = await startServe(s.dataDir);
  target = { port, cookie: `multicrop_token_${port}=${token}` };
  headers = { Origin: `http://127.0.0.1:${port}`, Cookie: target.cookie };
  await withCaller(async (c) => {
    expect(await c.call('folders:open', { path: data })).toMatchObject({ ok: true });
    const started = (await c.call('train:start', { dataset: data, config: tinyConfig({ epochs: 100_000, checkpointEvery: 1_000_000 }) })) as { ok: boolean; value: TrainStatus };
    expect(started, JSON.stringify(started).slice(0, 400)).toMatchObject({ ok: true });
    runId = started.value.runId;
  });
  await expectHealthy('the run started');
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    if (runId) await withCaller((c) => c.call('train:stop', { runId })).catch(() => undefined);
    await new Promise<void>((r) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        r();
      }, 30_000);
      child.once('exit', () => {
        clearTimeout(timer);
        r();
      });
      child.kill('SIGTERM');
    });
  }
  console.log(`host-crash-fuzz: inputs tried ${JSON.stringify(tried)}, total ${Object.values(tried).reduce((a, b) => a + b, 0)}; run ${runId} reached step ${lastStep}`);
  s?.dispose();
});

describe('multicrop serve under malformed input (own process, loopback)', () => {
  it(`survives ${BURSTS.requests} malformed requests: bad cookies (%), request lines, headers, bodies, byte soup`, async () => {
    const rng = new SeededRng(SEED, 1);
    const replies: Record<string, number> = {};
    await inParallel(
      Array.from({ length: BURSTS.requests }, () => async () => {
        const r = await sendRaw(target.port, malformedRequest(rng, target, false));
        const code = /^HTTP\/1\.1 (\d{3})/.exec(r.reply)?.[1] ?? (r.reply ? 'other' : 'closed');
        replies[code] = (replies[code] ?? 0) + 1;
      }),
      32,
    );
    tried.requests = BURSTS.requests;
    console.log(`host-crash-fuzz: requests answered ${JSON.stringify(replies)}`);
    expect(replies['500'], 'no request may end in an internal error').toBeUndefined();
    await expectHealthy('the malformed-request burst');
  });

  it(`survives ${BURSTS.upgrades} malformed WebSocket upgrades (bad cookies, paths, keys, versions)`, async () => {
    const rng = new SeededRng(SEED, 2);
    await inParallel(Array.from({ length: BURSTS.upgrades }, () => () => sendRaw(target.port, malformedRequest(rng, target, true))), 32);
    tried.upgrades = BURSTS.upgrades;
    await expectHealthy('the malformed-upgrade burst');
  });

  it(`survives ${BURSTS.frameConnections} authenticated sockets sending broken frames (reserved bits, opcodes, lengths, no mask, bad UTF-8)`, async () => {
    const rng = new SeededRng(SEED, 3);
    let frames = 0;
    await inParallel(
      Array.from({ length: BURSTS.frameConnections }, () => () => {
        const list = Array.from({ length: 1 + rng.int(5) }, () => malformedFrame(rng));
        frames += list.length;
        return sendRaw(target.port, [validUpgrade(target), ...list], 2000);
      }),
      16,
    );
    tried.frames = frames;
    await expectHealthy('the broken-frame burst');
  });

  it('survives seeded malformed calls on every channel while the run trains (the engine answers each with an envelope)', async () => {
    const cases = fuzzAll(s, SEED + 4, BURSTS.messagesPerChannel).filter((c) => !c.channel.startsWith('train:') && c.channel !== 'dataset:openSample');
    let answered = 0;
    await withCaller(async (c) => {
      for (let i = 0; i < cases.length; i += 8) {
        const batch = cases.slice(i, i + 8).filter((x) => (JSON.stringify(x.request) ?? '').length < 1_000_000);
        const answers = await Promise.all(batch.map((x) => c.call(x.channel, x.request)));
        for (const a of answers) if (a && typeof a === 'object' && 'ok' in a) answered++;
      }
    });
    tried.messages = answered;
    expect(answered).toBeGreaterThan(cases.length * 0.9);
    await expectHealthy('the malformed-call burst');
  });

  it('never printed an uncaught exception', () => {
    expect(stderr).not.toMatch(/Uncaught|URIError|TypeError: Invalid URL|ERR_INVALID_URL/);
  });
});
