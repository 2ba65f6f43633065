// Per-iteration schedules as pure functions of the global step, with main_dino.py's cosine_scheduler semantics.
import type { StudioConfig } from '../../shared/config-schema';
import type { StepSchedule } from './step-types';
import { effectiveBatch, peakLr } from '../../shared/lr-scaling';

/**
 * Value at iteration `it` of utils.cosine_scheduler(base, final, epochs, niterPerEp, warmupEpochs, startWarmup):
 * np.linspace(startWarmup, base, warmupEpochs*niterPerEp) followed by
 * final + 0.5*(base-final)*(1+cos(pi*i/len)) for i in [0, len), len = (epochs-warmupEpochs)*niterPerEp.
 * Iterations past the end keep the last value.
 */
export function cosineSchedule(
  base: number,
  final: number,
  epochs: number,
  niterPerEp: number,
  warmupEpochs: number,
  startWarmup: number,
  it: number,
): number {
  const warmupIters = warmupEpochs * niterPerEp;
  const total = epochs * niterPerEp;
  const i = Math.min(Math.max(0, Math.floor(it)), Math.max(0, total - 1));
  if (i < warmupIters) {
    return warmupIters === 1 ? startWarmup : startWarmup + ((base - startWarmup) * i) / (warmupIters - 1);
  }
  const len = total - warmupIters;
  const j = i - warmupIters;
  return final + 0.5 * (base - final) * (1 + Math.cos((Math.PI * j) / len));
}

/** Teacher temperature of an epoch: np.linspace(warmup, final, warmupEpochs) then flat (main_dino.py DINOLoss). */
export function teacherTempAt(warmupTemp: number, temp: number, warmupEpochs: number, epoch: number): number {
  if (epoch < warmupEpochs) {
    return warmupEpochs === 1 ? warmupTemp : warmupTemp + ((temp - warmupTemp) * epoch) / (warmupEpochs - 1);
  }
  return temp;
}

// The linear scaling rule lives in src/shared (the Training screen shows the lr really applied).
export { effectiveBatch, peakLr };

/** Every schedule value for global step `step` (0-based optimizer updates) with `itersPerEpoch` updates per epoch. */
export function scheduleAt(c: StudioConfig, itersPerEpoch: number, step: number): StepSchedule {
  const n = Math.max(1, Math.floor(itersPerEpoch));
  const epoch = Math.floor(step / n);
  return {
    lr: cosineSchedule(peakLr(c), c.minLr, c.epochs, n, c.warmupEpochs, 0, step),
    wd: cosineSchedule(c.weightDecay, c.weightDecayEnd, c.epochs, n, 0, 0, step),
    momentum: cosineSchedule(c.momentumTeacher, 1, c.epochs, n, 0, 0, step),
    teacherTemp: teacherTempAt(c.warmupTeacherTemp, c.teacherTemp, c.warmupTeacherTempEpochs, epoch),
    freezeLastLayer: epoch < c.freezeLastLayer,
  };
}
