// PyTorch parity of the DINO training step: 3 updates of DinoSystem vs the official main_dino.py semantics (torch_dino_step.py) from the same weights, views and schedule.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeTorch, PYTHON } from '../../support/torch-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBackend } from '../../../src/engine/backends/select-backend';
import { DinoSystem } from '../../../src/engine/train/dino-system';
import { scheduleAt } from '../../../src/engine/train/schedules';
import { splitBatch } from '../../../src/engine/train/split-batch';
import { readSafetensors, writeSafetensors } from '../../../src/engine/io/safetensors';
import type { Batch } from '../../../src/engine/loader/batch-types';
import type { DinoState, HostTensor, StepSchedule } from '../../../src/engine/train/step-types';
import { SeededRng } from '../../../src/engine/util/seeded-rng';
import { tinyModelConfig } from '../../support/tiny-model-config';


const SCRIPT = join(import.meta.dirname, 'torch_dino_step.py');
const STEPS = 3;
const ITERS_PER_EPOCH = 2; // steps 0-1 in epoch 0 (last layer frozen), step 2 in epoch 1

// Momentum 0.5 makes the EMA visible at float32 precision; teacher temperature warms up so its schedule is exercised.
// The tiny model (one block, 32/16 px, 2 locals, K 64, batch 4) on the cpu backend.
const config = tinyModelConfig({
  backend: 'cpu',
  epochs: 3,
  warmupEpochs: 0,
  lr: 0.1,
  momentumTeacher: 0.5,
  weightDecay: 0.2,
  weightDecayEnd: 0.4,
  warmupTeacherTemp: 0.04,
  teacherTemp: 0.07,
  warmupTeacherTempEpochs: 2,
  freezeLastLayer: 1,
  clipGrad: 0.5, // small enough that some parameters are clipped and others not
  seed: 3,
});

/** max |a - b| / max |b| (b the reference), the relative error of a whole tensor. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return s === 0 ? d : d / s;
}

function makeBatch(step: number): Batch {
  const rng = new SeededRng(40 + step, 7);
  const B = config.batchSize;
  const g = Float32Array.from({ length: 2 * B * 3 * config.globalSize ** 2 }, () => rng.normal());
  const l = Float32Array.from({ length: config.localCrops * B * 3 * config.localSize ** 2 }, () => rng.normal());
  return {
    epoch: Math.floor(step / ITERS_PER_EPOCH),
    index: step % ITERS_PER_EPOCH,
    imageIndices: [0, 1, 2, 3],
    batchSize: B,
    groups: [
      { size: config.globalSize, views: 2, data: g },
      { size: config.localSize, views: config.localCrops, data: l },
    ],
    waitMs: 0,
  };
}

describeTorch(`DINO step parity with PyTorch (torch found)`, () => {
  const work = mkdtempSync(join(tmpdir(), 'mc-dino-step-'));
  const ours: { loss: number; state: DinoState }[] = [];
  const accumulated: { loss: number; state: DinoState }[] = [];
  let ref: { losses: number[] };
  const refStates: Record<string, HostTensor>[] = [];
  const scheds: StepSchedule[] = Array.from({ length: STEPS }, (_, s) => scheduleAt(config, ITERS_PER_EPOCH, s));

  beforeAll(async () => {
    await startBackend('auto');
    const system = new DinoSystem(config);
    try {
      const init = system.getState();
      await writeSafetensors(join(work, 'init.safetensors'), init.student);
      const batches = Array.from({ length: STEPS }, (_, s) => makeBatch(s));
      batches.forEach((b, s) => {
        const all = new Float32Array(b.groups[0]!.data.length + b.groups[1]!.data.length);
        all.set(b.groups[0]!.data);
        all.set(b.groups[1]!.data, b.groups[0]!.data.length);
        writeFileSync(join(work, `views-${s}.f32`), Buffer.from(all.buffer));
      });
      const plan = {
        batch: config.batchSize,
        globalSize: config.globalSize,
        localSize: config.localSize,
        localCrops: config.localCrops,
        outDim: config.outDim,
        hiddenDim: config.headHiddenDim,
        bottleneckDim: config.headBottleneckDim,
        normLastLayer: config.normLastLayer,
        studentTemp: config.studentTemp,
        centerMomentum: config.centerMomentum,
        clipGrad: config.clipGrad,
        steps: scheds,
      };
      writeFileSync(join(work, 'plan.json'), JSON.stringify(plan));
      execFileSync(PYTHON, [SCRIPT, work], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      ref = JSON.parse(readFileSync(join(work, 'result.json'), 'utf8')) as { losses: number[] };
      for (let s = 0; s < STEPS; s++) {
        const stats = await system.step(batches[s]!, scheds[s]!);
        ours.push({ loss: stats.loss, state: system.getState() });
        refStates.push((await readSafetensors(join(work, `after-${s}.safetensors`))).tensors);
      }
    } finally {
      system.dispose();
    }
    // The same updates from 2 micro-batches of 2 images each (gradient accumulation) must be the same updates.
    const acc = new DinoSystem(config);
    try {
      for (let s = 0; s < STEPS; s++) {
        const stats = await acc.step(splitBatch(makeBatch(s), 2), scheds[s]!);
        accumulated.push({ loss: stats.loss, state: acc.getState() });
      }
    } finally {
      acc.dispose();
    }
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('the schedule covers a frozen last layer, then an unfrozen one, and a warming teacher temperature', () => {
    expect(scheds.map((s) => s.freezeLastLayer)).toEqual([true, true, false]);
    expect(scheds[0]!.teacherTemp).not.toBe(scheds[2]!.teacherTemp);
  });

  // Adam divides each gradient element by its own RMS, so float32 rounding in a near-zero gradient element (harmless
  // in m and v, which are compared at 1e-4 of their largest value) moves that parameter by a visible fraction of lr.
  // Each parameter element is therefore allowed 1e-4 of the tensor's largest value plus the update difference that
  // our and PyTorch's (checked) moments imply, accumulated over the steps with the same decay and EMA as the weights.
  const allowS = new Map<string, Float64Array>();
  const allowT = new Map<string, Float64Array>();
  const ADAM = { b1: 0.9, b2: 0.999, eps: 1e-8 };

  for (let s = 0; s < STEPS; s++) {
    it(`step ${s}: loss, center, student, teacher and AdamW moments match PyTorch`, () => {
      const mine = ours[s]!;
      const theirs = refStates[s]!;
      const sched = scheds[s]!;
      expect(Math.abs(mine.loss - ref.losses[s]!) / Math.abs(ref.losses[s]!)).toBeLessThan(1e-4);
      const bad: string[] = [];
      const check = (label: string, a: ArrayLike<number>, b: HostTensor | undefined, allow?: Float64Array, tol = 1e-4) => {
        if (!b) {
          bad.push(`${label}: missing in the PyTorch reference`);
          return;
        }
        const e = relErr(a, b.data);
        if (e < tol) return;
        let scale = 0;
        for (let i = 0; i < b.data.length; i++) scale = Math.max(scale, Math.abs(b.data[i]!));
        let worst = 0;
        for (let i = 0; i < a.length; i++) {
          const over = Math.abs(a[i]! - b.data[i]!) / (tol * scale + (allow ? allow[i]! : 0));
          worst = Math.max(worst, over);
        }
        if (!(worst <= 1)) bad.push(`${label}: relative error ${e.toExponential(2)}, ${worst.toFixed(2)}x the allowance`);
      };
      check('center', mine.state.center.data, theirs['center']);
      for (const [name, t] of Object.entries(mine.state.student)) {
        const n = t.data.length;
        const as = allowS.get(name) ?? new Float64Array(n);
        const m = mine.state.optimizer[`${name}.m`];
        const refM = theirs[`m.${name}`];
        const decay = !name.endsWith('.bias') && t.shape.length > 1 ? sched.wd : 0;
        if (m && refM) {
          const v = mine.state.optimizer[`${name}.v`]!.data;
          const refV = theirs[`v.${name}`]!.data;
          const step = mine.state.optimizer[`${name}.step`]!.data[0]!;
          const bc1 = 1 - ADAM.b1 ** step;
          const bc2 = Math.sqrt(1 - ADAM.b2 ** step);
          for (let i = 0; i < n; i++) {
            const du = Math.abs(m.data[i]! / (Math.sqrt(v[i]!) / bc2 + ADAM.eps) - refM.data[i]! / (Math.sqrt(refV[i]!) / bc2 + ADAM.eps));
            as[i] = as[i]! * (1 - sched.lr * decay) + (sched.lr / bc1) * du;
          }
        }
        const at = allowT.get(name) ?? new Float64Array(n);
        for (let i = 0; i < n; i++) at[i] = sched.momentum * at[i]! + (1 - sched.momentum) * as[i]!;
        allowS.set(name, as);
        allowT.set(name, at);
        check(`student ${name}`, t.data, theirs[`student.${name}`], as);
        check(`teacher ${name}`, mine.state.teacher[name]!.data, theirs[`teacher.${name}`], at);
        if (!m) continue; // not trainable (weight_g with norm_last_layer)
        if (!refM) {
          // PyTorch has no state for a parameter that has not had a gradient yet (frozen last layer): ours must be zero.
          expect(Math.max(...Array.from(m.data, Math.abs)), `${name}.m before its first update`).toBe(0);
          continue;
        }
        // Step 0's m is the gradient itself: 2e-4 of the largest element (PyTorch's float32 matMuls round differently
        // with OpenBLAS than with the reference BLAS; m of blocks.0.mlp.fc2.weight differs by 2.4e-5 in every attention
        // layout). From step 1 on the gradient is taken at weights that already differ by the Adam-amplified rounding
        // the allowance above describes, so m differs more, by an amount that depends on how each layout rounds: 1.0e-4
        // (batched), 1.3e-4 (pairs) and 2.4e-4 (fused) for that tensor at steps 1 and 2 on an AMD EPYC; 5e-4 there.
        check(`adam m ${name}`, m.data, refM, undefined, s === 0 ? 2e-4 : 5e-4);
        // v is quadratic in the gradient: twice its relative error.
        check(`adam v ${name}`, mine.state.optimizer[`${name}.v`]!.data, theirs[`v.${name}`], undefined, 4e-4);
      }
      expect(bad).toEqual([]);
    });
  }

  it('2 accumulated micro-batches give the updates of the whole batch (loss, center, weights after 3 steps)', () => {
    for (let s = 0; s < STEPS; s++) expect(Math.abs(accumulated[s]!.loss - ref.losses[s]!) / Math.abs(ref.losses[s]!)).toBeLessThan(1e-4);
    const last = accumulated[STEPS - 1]!.state;
    const whole = ours[STEPS - 1]!.state;
    expect(relErr(last.center.data, refStates[STEPS - 1]!['center']!.data)).toBeLessThan(1e-4);
    for (const name of ['head.mlp.0.weight', 'head.last_layer.weight_v', 'blocks.0.mlp.fc2.weight']) {
      // against our whole-batch result (same float path up to summation order), at the parameter's own scale
      expect(relErr(last.student[name]!.data, whole.student[name]!.data), name).toBeLessThan(1e-3);
      expect(relErr(last.teacher[name]!.data, whole.teacher[name]!.data), name).toBeLessThan(1e-3);
    }
  });

  it('the comparison can fail: the reference after step 2 differs from ours after step 0', () => {
    expect(relErr(ours[0]!.state.student['head.mlp.0.weight']!.data, refStates[2]!['student.head.mlp.0.weight']!.data)).toBeGreaterThan(1e-4);
  });
});
