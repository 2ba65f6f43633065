// One DINO optimizer step on the cpu backend: accumulation equals the big batch, freezing, AdamW formula, state round trip, no tensor leaks.
import { tinyModelConfig } from '../../support/tiny-model-config';
import * as tf from '../../../src/engine/tf/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StudioConfig } from '../../../src/shared/config-schema';
import { createDinoSystem } from '../../../src/engine/train/dino-system';
import { accumulateGradients, type Partials } from '../../../src/engine/train/gradient-accumulator';
import { adamwUpdate, createSlot } from '../../../src/engine/train/adamw';
import type { Batch, ResolutionGroup } from '../../../src/engine/loader/batch-types';
import type { DinoState, StepSchedule } from '../../../src/engine/train/step-types';
import { startBackend } from '../../../src/engine/backends/select-backend';
import { SeededRng } from '../../../src/engine/util/seeded-rng';

const CFG: StudioConfig = tinyModelConfig();
const SCHED: StepSchedule = { lr: 1e-3, wd: 0.04, momentum: 0.9, teacherTemp: 0.04, freezeLastLayer: false };

/** Per-image views: images[i][v] is a [3, s, s] array. */
function makeImages(n: number, seed: number): Float32Array[][] {
  const rng = new SeededRng(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: 2 + CFG.localCrops }, (_, v) => {
      const s = v < 2 ? CFG.globalSize : CFG.localSize;
      return Float32Array.from({ length: 3 * s * s }, () => rng.normal());
    }),
  );
}

/** View-major batch of the given images. */
function toBatch(imgs: Float32Array[][]): Batch {
  const b = imgs.length;
  const group = (size: number, first: number, views: number): ResolutionGroup => {
    const per = 3 * size * size;
    const data = new Float32Array(views * b * per);
    for (let v = 0; v < views; v++) for (let i = 0; i < b; i++) data.set(imgs[i]![first + v]!, (v * b + i) * per);
    return { size, views, data };
  };
  return {
    epoch: 0,
    index: 0,
    imageIndices: imgs.map((_, i) => i),
    batchSize: b,
    groups: [group(CFG.globalSize, 0, 2), group(CFG.localSize, 2, CFG.localCrops)],
    waitMs: 0,
  };
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

function expectSameState(a: DinoState, b: DinoState): void {
  expect(a.optimizerStep).toBe(b.optimizerStep);
  expect(sameBits(a.center.data, b.center.data)).toBe(true);
  for (const part of ['student', 'teacher', 'optimizer'] as const) {
    expect(Object.keys(a[part]).sort()).toEqual(Object.keys(b[part]).sort());
    for (const [k, t] of Object.entries(a[part])) {
      expect(t.shape, `${part} ${k}`).toEqual(b[part][k]!.shape);
      expect(sameBits(t.data, b[part][k]!.data), `${part} ${k}`).toBe(true);
    }
  }
}

/** Largest |a-b| / (max |a| + 1e-6) over every gradient; disposes both partials. */
function maxRelGradDiff(a: Partials, b: Partials): number {
  let worst = 0;
  expect(Object.keys(a.grads).sort()).toEqual(Object.keys(b.grads).sort());
  for (const k of Object.keys(a.grads)) {
    const x = a.grads[k]!.dataSync();
    const y = b.grads[k]!.dataSync();
    let scale = 0;
    for (let i = 0; i < x.length; i++) scale = Math.max(scale, Math.abs(x[i]!));
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / (scale + 1e-6));
  }
  for (const p of [a, b]) tf.dispose([...Object.values(p.grads), p.loss, p.entropy, p.probSum, p.teacherSum]);
  return worst;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('DINO step', () => {
  beforeAll(async () => {
    await startBackend('wasm');
  });

  it('gradient accumulation over 2 micro-batches gives the update of the 4-image batch (cpu backend)', async () => {
    await tf.setBackend('cpu');
    const imgs = makeImages(4, 1);
    const big = createDinoSystem(CFG, { seed: 3 });
    const acc = createDinoSystem({ ...CFG, batchSize: 2, accumulate: 2 }, { seed: 3 });
    expect(
      maxRelGradDiff(accumulateGradients(big, [toBatch(imgs)], SCHED, 4), accumulateGradients(acc, [toBatch(imgs.slice(0, 2)), toBatch(imgs.slice(2))], SCHED, 4)),
    ).toBeLessThan(1e-4);
    const s1 = await big.step(toBatch(imgs), SCHED);
    const s2 = await acc.step([toBatch(imgs.slice(0, 2)), toBatch(imgs.slice(2))], SCHED);
    expect(Math.abs(s1.loss - s2.loss)).toBeLessThan(1e-5);
    expect(Math.abs(s1.batchMeanEntropy - s2.batchMeanEntropy)).toBeLessThan(1e-5);
    const a = big.getState();
    const b = acc.getState();
    let worst = 0;
    for (const k of Object.keys(a.student)) worst = Math.max(worst, maxDiff(a.student[k]!.data, b.student[k]!.data));
    // Adam normalises each coordinate, so float32 rounding of tiny gradients shows up at a fraction of lr.
    expect(worst).toBeLessThan(0.02 * SCHED.lr);
    expect(maxDiff(a.center.data, b.center.data)).toBeLessThan(1e-6);
    // The update did move the weights (the comparison is not vacuous).
    const init = createDinoSystem(CFG, { seed: 3 });
    const i0 = init.getState();
    expect(maxDiff(i0.student['blocks.0.attn.qkv.weight']!.data, a.student['blocks.0.attn.qkv.weight']!.data)).toBeGreaterThan(1e-4);
    [big, acc, init].forEach((s) => s.dispose());
    await tf.setBackend('wasm');
  });

  it('memory chunking (one image per pass) gives the same update as one pass over the batch', async () => {
    const imgs = makeImages(4, 6);
    const whole = createDinoSystem(CFG, { seed: 17 });
    const chunked = createDinoSystem(CFG, { seed: 17 });
    chunked.activationBudgetBytes = 1; // forces 4 passes of 1 image
    // The gradients themselves (Adam's first step would hide a wrong overall scale).
    expect(maxRelGradDiff(accumulateGradients(whole, [toBatch(imgs)], SCHED, 4), accumulateGradients(chunked, [toBatch(imgs)], SCHED, 4))).toBeLessThan(1e-4);
    const a = await whole.step(toBatch(imgs), SCHED);
    const b = await chunked.step(toBatch(imgs), SCHED);
    expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
    const sa = whole.getState();
    const sb = chunked.getState();
    let worst = 0;
    for (const k of Object.keys(sa.student)) worst = Math.max(worst, maxDiff(sa.student[k]!.data, sb.student[k]!.data));
    expect(worst).toBeLessThan(0.05 * SCHED.lr);
    expect(maxDiff(sa.center.data, sb.center.data)).toBeLessThan(1e-6);
    whole.dispose();
    chunked.dispose();
  });

  it('keeps the tensor count constant across steps and reports finite statistics', async () => {
    const sys = createDinoSystem(CFG, { seed: 5 });
    const batch = toBatch(makeImages(4, 2));
    await sys.step(batch, SCHED);
    const n1 = tf.memory().numTensors;
    const st = await sys.step(batch, SCHED);
    await sys.step(batch, { ...SCHED, freezeLastLayer: true });
    expect(tf.memory().numTensors).toBe(n1);
    for (const v of Object.values(st)) expect(Number.isFinite(v)).toBe(true);
    expect(st.teacherEntropy).toBeGreaterThanOrEqual(0);
    expect(st.teacherEntropy).toBeLessThanOrEqual(Math.log(CFG.outDim) + 1e-4);
    expect(st.klTeacherStudent).toBeGreaterThanOrEqual(-1e-4);
    sys.dispose();
    expect(tf.memory().numTensors).toBeLessThan(n1);
  });

  it('freezeLastLayer leaves the last layer untouched and the teacher moves by EMA', async () => {
    const sys = createDinoSystem(CFG, { seed: 7 });
    const before = sys.getState();
    await sys.step(toBatch(makeImages(4, 3)), { ...SCHED, freezeLastLayer: true });
    const after = sys.getState();
    expect(maxDiff(before.student['head.last_layer.weight_v']!.data, after.student['head.last_layer.weight_v']!.data)).toBe(0);
    expect(after.optimizer['head.last_layer.weight_v.step']!.data[0]).toBe(0);
    expect(after.optimizer['head.mlp.0.weight.step']!.data[0]).toBe(1);
    const k = 'blocks.0.mlp.fc1.weight';
    const s0 = before.student[k]!.data;
    const s1 = after.student[k]!.data;
    const t1 = after.teacher[k]!.data;
    for (let i = 0; i < 50; i++) expect(t1[i]!).toBeCloseTo(0.9 * s0[i]! + 0.1 * s1[i]!, 6);
    sys.dispose();
  });

  it('getState / setState round-trips exactly and the restored system continues identically', async () => {
    const a = createDinoSystem(CFG, { seed: 11 });
    const batch = toBatch(makeImages(4, 4));
    await a.step(batch, SCHED);
    const saved = a.getState();
    const b = createDinoSystem(CFG, { seed: 99 });
    b.setState(saved);
    expectSameState(b.getState(), saved);
    const sa = await a.step(batch, SCHED);
    const sb = await b.step(batch, SCHED);
    expect(sb).toEqual(sa);
    expectSameState(b.getState(), a.getState());
    expect(saved.student['patch_embed.proj.weight']!.shape).toEqual([192, 3, 16, 16]);
    expect(saved.student['blocks.0.attn.qkv.weight']!.shape).toEqual([576, 192]);
    expect(saved.student['head.last_layer.weight_g']!.shape).toEqual([64, 1]);
    a.dispose();
    b.dispose();
  });

  it('a non-finite loss stops with a clear error and leaves the state untouched', async () => {
    const sys = createDinoSystem(CFG, { seed: 13 });
    const st = sys.getState();
    st.student['head.mlp.4.bias']!.data.fill(Number.NaN);
    sys.setState(st);
    const before = sys.getState();
    await expect(sys.step(toBatch(makeImages(4, 5)), SCHED)).rejects.toThrow(/the DINO loss is NaN at optimizer step 0 .*last good checkpoint is intact/);
    expectSameState(sys.getState(), before);
    sys.dispose();
  });

  it('AdamW follows torch.optim.AdamW (decoupled decay, bias correction) over 3 steps', () => {
    const p0 = [0.5, -1.0, 2.0];
    const gs = [
      [0.1, -0.2, 0.3],
      [0.05, 0.4, -0.1],
      [-0.3, 0.1, 0.2],
    ];
    const lr = 0.01;
    const wd = 0.1;
    // Reference in float64.
    const p = p0.slice();
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    gs.forEach((g, t0) => {
      const t = t0 + 1;
      for (let i = 0; i < 3; i++) {
        p[i]! *= 1 - lr * wd;
        m[i] = 0.9 * m[i]! + 0.1 * g[i]!;
        v[i] = 0.999 * v[i]! + 0.001 * g[i]! ** 2;
        const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - 0.999 ** t) + 1e-8;
        p[i]! -= (lr / (1 - 0.9 ** t)) * (m[i]! / denom);
      }
    });
    const param = tf.variable(tf.tensor1d(p0));
    const slot = createSlot([3]);
    for (const g of gs) tf.tidy(() => adamwUpdate(param, tf.tensor1d(g), slot, lr, wd));
    const got = param.dataSync();
    for (let i = 0; i < 3; i++) expect(got[i]!).toBeCloseTo(p[i]!, 6);
    expect(slot.step).toBe(3);
    tf.dispose([param, slot.m, slot.v]);
  });
});
