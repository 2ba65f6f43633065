// DINO loss + center update, schedules and per-parameter clipping against the official code's golden values.
import * as tf from '../../../src/engine/tf/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect, it } from 'vitest';
import { describeShared } from '../../support/shared-suite';
import { HAS_SHARED, SKIP_SHARED_REASON, loadGolden } from '../../support/shared-fixtures';
import { dinoLoss, updatedCenter } from '../../../src/engine/train/dino-loss';
import { cosineSchedule, scheduleAt, teacherTempAt } from '../../../src/engine/train/schedules';
import { clipGradients } from '../../../src/engine/train/clip-gradients';
import { RECIPE_DEFAULTS } from '../../../src/shared/config-schema';

interface LossCase {
  ncrops: number;
  batch: number;
  out_dim: number;
  student_temp: number;
  teacher_temp: number;
  center_momentum: number;
  student: number[];
  teacher: number[];
  center_before: number[];
  loss: number;
  center_after: number[];
}
interface SchedCase {
  what: string;
  base: number;
  final: number;
  epochs: number;
  niter_per_ep: number;
  warmup_epochs: number;
  start_warmup: number;
  values: number[];
}
interface Golden {
  dino_loss: LossCase[];
  schedules: SchedCase[];
  clip_gradients: { clip: number; grads_before: number[][]; shapes: number[][]; grads_after: number[][] };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describeShared(`DINO math against golden values (${HAS_SHARED ? 'cpu backend' : SKIP_SHARED_REASON})`, () => {
  const g = HAS_SHARED ? loadGolden<Golden>() : (undefined as unknown as Golden);
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('DINO loss and the center update after it match every case', () => {
    expect(g.dino_loss.length).toBeGreaterThan(0);
    for (const c of g.dino_loss) {
      const [loss, center] = tf.tidy(() => {
        const s = tf.tensor2d(c.student, [c.ncrops * c.batch, c.out_dim]);
        const t = tf.tensor2d(c.teacher, [2 * c.batch, c.out_dim]);
        const center0 = tf.tensor2d(c.center_before, [1, c.out_dim]);
        const parts = dinoLoss(s, t, center0, c.ncrops, c.student_temp, c.teacher_temp);
        const next = updatedCenter(center0, tf.sum(t, 0), 2 * c.batch, c.center_momentum);
        return [parts.loss.dataSync()[0]!, next.dataSync()];
      });
      expect(Math.abs(loss - c.loss) / Math.abs(c.loss)).toBeLessThan(1e-5);
      expect(maxAbsDiff(center, c.center_after)).toBeLessThan(1e-5);
    }
  });

  it('cosine schedules (lr with warmup, weight decay, teacher momentum) match per iteration', () => {
    for (const s of g.schedules) {
      const ours = s.values.map((_, it) => cosineSchedule(s.base, s.final, s.epochs, s.niter_per_ep, s.warmup_epochs, s.start_warmup, it));
      for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i]! - s.values[i]!)).toBeLessThan(1e-12 + 1e-9 * Math.abs(s.values[i]!));
    }
  });

  it('scheduleAt scales lr by batch/256 and reproduces the golden lr curve', () => {
    const lr = g.schedules.find((s) => s.what === 'lr')!;
    // golden base 0.000125 = 0.0005 * 64 / 256 (micro-batch 32 accumulated twice)
    const cfg = { ...RECIPE_DEFAULTS, lr: 0.0005, batchSize: 32, accumulate: 2, minLr: lr.final, epochs: lr.epochs, warmupEpochs: lr.warmup_epochs };
    for (let it = 0; it < lr.values.length; it++) {
      expect(Math.abs(scheduleAt(cfg, lr.niter_per_ep, it).lr - lr.values[it]!)).toBeLessThan(1e-12);
    }
    const sAfter = scheduleAt(cfg, lr.niter_per_ep, 10_000);
    expect(sAfter.lr).toBeCloseTo(lr.values[lr.values.length - 1]!, 15);
    expect(scheduleAt(cfg, 7, 6).freezeLastLayer).toBe(true);
    expect(scheduleAt(cfg, 7, 7).freezeLastLayer).toBe(false);
  });

  it('teacher temperature: linear warmup per epoch (np.linspace) then flat', () => {
    expect(teacherTempAt(0.04, 0.07, 30, 0)).toBe(0.04);
    expect(teacherTempAt(0.04, 0.07, 30, 29)).toBeCloseTo(0.07, 15);
    expect(teacherTempAt(0.04, 0.07, 30, 15)).toBeCloseTo(0.04 + (0.03 * 15) / 29, 15);
    expect(teacherTempAt(0.04, 0.07, 30, 31)).toBe(0.07);
    expect(teacherTempAt(0.04, 0.07, 0, 0)).toBe(0.07);
  });

  it('per-parameter clipping matches', () => {
    const c = g.clip_gradients;
    const out = tf.tidy(() => {
      const grads: Record<string, tf.Tensor> = {};
      c.grads_before.forEach((v, i) => (grads['p' + i] = tf.tensor(v, c.shapes[i])));
      const clipped = clipGradients(grads, c.clip);
      return c.grads_before.map((_, i) => Array.from(clipped['p' + i]!.dataSync()));
    });
    out.forEach((v, i) => expect(maxAbsDiff(v, c.grads_after[i]!)).toBeLessThan(1e-6));
  });
});
