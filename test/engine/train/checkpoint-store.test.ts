// Checkpoint store: exact round trip, newest valid checkpoint wins over corrupt/truncated ones, retention, ENOSPC keeps the previous.
import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RECIPE_DEFAULTS } from '../../../src/shared/config-schema';
import { durableWrite } from '../../../src/engine/train/atomic-folder';
import { type CheckpointMeta, CheckpointSaveError, CheckpointStore, checkpointName } from '../../../src/engine/train/checkpoint-store';
import type { DinoState, HostTensor } from '../../../src/engine/train/step-types';
import { SeededRng } from '../../../src/engine/util/seeded-rng';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function runDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mc-ckpt-'));
  dirs.push(d);
  return d;
}

function tensor(shape: number[], rng: SeededRng): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, () => rng.normal()) };
}
function state(seed: number): DinoState {
  const r = new SeededRng(seed);
  return {
    student: { 'blocks.0.attn.qkv.weight': tensor([12, 4], r), 'head.last_layer.weight_v': tensor([16, 8], r) },
    teacher: { 'blocks.0.attn.qkv.weight': tensor([12, 4], r), 'head.last_layer.weight_v': tensor([16, 8], r) },
    optimizer: { 'blocks.0.attn.qkv.weight.m': tensor([12, 4], r), 'blocks.0.attn.qkv.weight.v': tensor([12, 4], r) },
    center: tensor([1, 16], r),
    optimizerStep: seed,
  };
}
function meta(step: number): CheckpointMeta {
  return {
    format: 'multicrop-checkpoint/1',
    step,
    epoch: Math.floor(step / 10),
    optimizerStep: step,
    loaderPosition: { epoch: Math.floor(step / 10), index: step % 10 },
    rng: { seed: 0, note: 'test' },
    config: RECIPE_DEFAULTS,
    dataset: { root: '/data', fingerprint: { sha256: 'ab', files: 3, bytes: 30 } },
    createdAt: new Date(0).toISOString(),
  };
}

describe('CheckpointStore', () => {
  it('round-trips the whole state bit-exactly', async () => {
    const store = new CheckpointStore(runDir());
    const s = state(7);
    await store.save(meta(20), s);
    const { checkpoint, problems } = await store.loadLatest();
    expect(problems).toEqual([]);
    expect(checkpoint!.meta.step).toBe(20);
    expect(checkpoint!.meta.loaderPosition).toEqual({ epoch: 2, index: 0 });
    expect(checkpoint!.state.optimizerStep).toBe(7);
    for (const part of ['student', 'teacher', 'optimizer'] as const) {
      for (const [k, t] of Object.entries(s[part])) {
        expect(checkpoint!.state[part][k]!.shape).toEqual(t.shape);
        expect(Array.from(checkpoint!.state[part][k]!.data)).toEqual(Array.from(t.data));
      }
    }
    expect(Array.from(checkpoint!.state.center.data)).toEqual(Array.from(s.center.data));
  });

  it('keeps step 0 and the newest three', async () => {
    const dir = runDir();
    const store = new CheckpointStore(dir);
    for (const step of [0, 10, 20, 30, 40, 50]) await store.save(meta(step), state(step));
    expect(readdirSync(join(dir, 'checkpoints')).sort()).toEqual([0, 30, 40, 50].map(checkpointName));
    expect((await store.list()).map((c) => c.step)).toEqual([50, 40, 30, 0]);
  });

  it('falls back past a corrupted and a truncated checkpoint, naming each problem', async () => {
    const dir = runDir();
    const store = new CheckpointStore(dir);
    for (const step of [0, 10, 20, 30]) await store.save(meta(step), state(step));
    const ck = (s: number) => join(dir, 'checkpoints', checkpointName(s));
    const f = join(ck(30), 'teacher.safetensors');
    const b = readFileSync(f);
    b[b.length - 3] ^= 0x40;
    writeFileSync(f, b);
    truncateSync(join(ck(20), 'optimizer.safetensors'), 100);
    const { checkpoint, problems } = await store.loadLatest();
    expect(checkpoint!.meta.step).toBe(10);
    expect(Array.from(checkpoint!.state.center.data)).toEqual(Array.from(state(10).center.data));
    expect(problems.map((p) => p.name)).toEqual([checkpointName(30), checkpointName(20)]);
    expect(problems[0]!.reason).toMatch(/teacher\.safetensors.*sha256/);
    expect(problems[1]!.reason).toMatch(/optimizer\.safetensors.*truncated/);
  });

  it('reports ENOSPC during a save and the previous checkpoint stays valid', async () => {
    const dir = runDir();
    let budget = Infinity;
    const write = async (p: string, d: Uint8Array) => {
      if (d.byteLength > budget) {
        // a real partial write, then the error a full disk gives
        await durableWrite(p, d.subarray(0, budget));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      budget -= d.byteLength;
      await durableWrite(p, d);
    };
    const store = new CheckpointStore(dir, { write });
    await store.save(meta(10), state(10));
    budget = 700;
    const err = await store.save(meta(20), state(20)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointSaveError);
    expect((err as Error).message).toMatch(/step-00000020.*disk is full \(ENOSPC\).*previous checkpoint is unchanged/);
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual([checkpointName(10)]);
    const { checkpoint, problems } = await store.loadLatest();
    expect(problems).toEqual([]);
    expect(checkpoint!.meta.step).toBe(10);
  });
});
