// WebGPU (Dawn; SwiftShader on machines without a GPU) against the cpu backend: 3 DINO steps in both attention layouts, the golden ViT-Tiny/16 forward, no leak over 30 steps.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_CI, noAdapterMessage, useSwiftShaderIfNoDriverChosen } from '../../support/webgpu-env';
import { tinyModelConfig } from '../../support/tiny-model-config';
import { GOLDEN_DIR, HAS_SHARED, SKIP_SHARED_REASON, loadGolden } from '../../support/shared-fixtures';
import * as tf from '../../../src/engine/tf/tfjs';
import { startBackend } from '../../../src/engine/backends/select-backend';
import { probeWebGpuAdapter } from '../../../src/engine/backends/webgpu-adapter';
import type { AttentionMode } from '../../../src/engine/model/attention';
import type { Batch } from '../../../src/engine/loader/batch-types';
import { createDinoSystem } from '../../../src/engine/train/dino-system';
import type { DinoState, NamedTensors, StepSchedule } from '../../../src/engine/train/step-types';
import { readSafetensors } from '../../../src/engine/io/safetensors';
import { paramsFromHost } from '../../../src/engine/model/param-store';
import { vitConfig, vitForward, vitSpecs } from '../../../src/engine/model/vit';
import { SeededRng } from '../../../src/engine/util/seeded-rng';
import { loadGoldenImage } from '../../support/golden-image';

useSwiftShaderIfNoDriverChosen();
const probe = await probeWebGpuAdapter();
const why = probe.ok ? '' : probe.why;
if (!probe.ok) {
  if (IN_CI) throw new Error(`CI=true but ${noAdapterMessage(why)}`);
  console.warn(noAdapterMessage(why));
}

// The tiniest configuration that still runs every kernel of a step: two resolution groups (position-embedding
// interpolation at both sizes), the weight-normalised last layer, gradient clipping, frozen and trained last layer.
const CFG = tinyModelConfig({ localCrops: 1, batchSize: 2, outDim: 16, headHiddenDim: 16, headBottleneckDim: 8, clipGrad: 3, normLastLayer: true });
// A small learning rate: AdamW's m / sqrt(v) turns a gradient that is rounding noise on both backends (the key part of
// qkv.bias has an exactly zero gradient) into a step of +-lr of either sign, so parameters can agree only to ~2 lr per step.
const sched = (step: number): StepSchedule => ({ lr: 1e-5, wd: 0.04, momentum: 0.9, teacherTemp: 0.04, freezeLastLayer: step === 0 });

function batch(step: number): Batch {
  const rng = new SeededRng(11, step);
  const group = (size: number, views: number) => ({ size, views, data: Float32Array.from({ length: views * CFG.batchSize * 3 * size * size }, () => rng.normal()) });
  return { epoch: 0, index: step, imageIndices: [0, 1], batchSize: 2, groups: [group(CFG.globalSize, 2), group(CFG.localSize, 1)], waitMs: 0 };
}

interface Trace {
  losses: number[];
  state: DinoState;
  initial: DinoState;
}

async function threeSteps(backend: 'cpu' | 'webgpu', attention: AttentionMode): Promise<Trace> {
  const b = await startBackend(backend);
  expect(b.name, b.reason).toBe(backend);
  const sys = createDinoSystem(CFG, { seed: 5, attention });
  const initial = await sys.readState();
  const losses: number[] = [];
  for (let s = 0; s < 3; s++) losses.push((await sys.step(batch(s), sched(s))).loss);
  const state = await sys.readState();
  sys.dispose();
  return { losses, state, initial };
}

function maxDiff(a: NamedTensors, b: NamedTensors): { max: number; at: string } {
  let max = 0;
  let at = '';
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const [k, t] of Object.entries(a)) {
    const u = b[k]!.data;
    for (let i = 0; i < t.data.length; i++) {
      const d = Math.abs(t.data[i]! - u[i]!);
      if (!(d <= max)) {
        max = d;
        at = `${k}[${i}]`;
      }
    }
  }
  return { max, at };
}

const skip = !probe.ok;
describe.skipIf(skip)(`webgpu backend on ${probe.ok ? probe.adapter.description || probe.adapter.architecture : `no adapter: ${why}`}`, () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const attention of ['batched', 'pairs'] as AttentionMode[]) {
    it(`3 DINO steps equal the cpu backend within 1e-4 (${attention} attention): loss, center, student, teacher, AdamW moments`, async () => {
      const cpu = await threeSteps('cpu', attention);
      const gpu = await threeSteps('webgpu', attention);
      expect(maxDiff(gpu.initial.student, cpu.initial.student).max).toBe(0);
      for (let s = 0; s < 3; s++) expect(Math.abs(gpu.losses[s]! - cpu.losses[s]!), `loss of step ${s + 1}`).toBeLessThan(1e-4);
      for (const part of ['student', 'teacher', 'optimizer'] as const) {
        const d = maxDiff(gpu.state[part], cpu.state[part]);
        expect(d.max, `${part} differs most at ${d.at}`).toBeLessThan(1e-4);
      }
      expect(maxDiff({ c: gpu.state.center }, { c: cpu.state.center }).max).toBeLessThan(1e-4);
      expect(gpu.state.optimizerStep).toBe(3);
      // The comparison can fail: the steps moved the weights and the moments far more than the tolerance.
      expect(maxDiff(cpu.state.student, cpu.initial.student).max).toBeGreaterThan(2e-5);
      expect(maxDiff(cpu.state.teacher, cpu.initial.teacher).max).toBeGreaterThan(1e-6);
      expect(Object.values(cpu.state.optimizer).reduce((m, t) => t.data.reduce((mm, x) => Math.max(mm, Math.abs(x)), m), 0)).toBeGreaterThan(1e-3);
      expect(cpu.state.center.data.reduce((m, x) => Math.max(m, Math.abs(x)), 0)).toBeGreaterThan(1e-4);
    }, 900_000);
  }

  it('30 steps keep the tensor count and the GPU bytes flat after the first', async () => {
    await startBackend('webgpu');
    const sys = createDinoSystem({ ...CFG, globalSize: 16, localSize: 16 }, { seed: 1 });
    const counts: number[] = [];
    const bytes: number[] = [];
    const small = (s: number): Batch => {
      const b = batch(s);
      return { ...b, groups: b.groups.map((g) => ({ ...g, size: 16, data: g.data.subarray(0, g.views * 2 * 3 * 16 * 16) })) };
    };
    for (let s = 0; s < 30; s++) {
      await sys.step(small(s), sched(s));
      const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
      counts.push(m.numTensors);
      bytes.push(m.numBytesInGPU);
    }
    sys.dispose();
    expect(new Set(counts.slice(1)).size, `tensor counts ${counts.join(' ')}`).toBe(1);
    expect(new Set(bytes.slice(2)).size, `GPU bytes ${bytes.join(' ')}`).toBe(1);
    expect(bytes[1]).toBeGreaterThan(0);
  }, 1_200_000);

  describe.skipIf(!HAS_SHARED)(`golden ViT-Tiny/16 forward (${HAS_SHARED ? 'official DINO weights' : SKIP_SHARED_REASON})`, () => {
    interface Golden {
      vit_tiny16: { patch_size: number; depth: number; cases: { image: string; cls: number[]; last_attention_cls_to_patches: number[] }[] };
    }
    let weights: NamedTensors;
    beforeAll(async () => {
      weights = (await readSafetensors(resolve(GOLDEN_DIR, 'vit_tiny16.safetensors'))).tensors;
    });
    for (const idx of [0, 1]) {
      it(`case ${idx} (${idx === 0 ? 224 : 96} px): CLS output and last attention within 2e-4`, async () => {
        await startBackend('webgpu');
        const g = loadGolden<Golden>().vit_tiny16;
        const c = g.cases[idx]!;
        const cfg = vitConfig('vit_tiny', g.patch_size, g.depth);
        const img = await loadGoldenImage(resolve(GOLDEN_DIR, c.image));
        const params = paramsFromHost(vitSpecs(cfg), weights, false, 'vit_tiny16.safetensors');
        const before = tf.memory().numTensors;
        const o = tf.tidy(() => {
          const r = vitForward(params, cfg, { data: img.data, n: 1, h: img.h, w: img.w }, { attention: true });
          return [r.cls, r.attention!];
        });
        const [cls, att] = [await o[0]!.data(), await o[1]!.data()];
        tf.dispose(o);
        expect(tf.memory().numTensors).toBe(before);
        for (const t of params.values()) t.dispose();
        expect(maxAbs(cls, c.cls)).toBeLessThan(2e-4);
        expect(maxAbs(att, c.last_attention_cls_to_patches)).toBeLessThan(2e-4);
      }, 600_000);
    }
  });
});

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
