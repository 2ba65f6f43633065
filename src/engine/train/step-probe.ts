// Times a few real training steps of a config (the system `train` assembles: backend, model threads, attention layout; on random crops of its sizes): the time per step shown before Start.
import type { StudioConfig } from '../../shared/config-schema';
import type { StepProbe } from '../../shared/ipc-contract';
import { effectiveBatch } from '../../shared/lr-scaling';
import { assembleRun } from './assemble-run';
import { scheduleAt } from './schedules';
import { syntheticBatch } from './synthetic-batch';
import { imagesPerStep } from './train-config';

/** Steps are timed at this many images at most and scaled linearly to the config's batch (a step's work is linear in the batch). */
export const PROBE_MAX_BATCH = 16;
export const PROBE_STEPS = 2;

/** The settings that decide a step's time: the probe's cache key. */
export function probeKey(c: StudioConfig): string {
  const { arch, patchSize, depth, outDim, headHiddenDim, headBottleneckDim, globalSize, localSize, localCrops, batchSize, accumulate, backend } = c;
  return JSON.stringify({ arch, patchSize, depth, outDim, headHiddenDim, headBottleneckDim, globalSize, localSize, localCrops, batchSize, accumulate, backend });
}

/** One warm-up step (compilation, first allocations), then `steps` timed ones; the median is the step time. */
export async function probeStepTime(config: StudioConfig, steps = PROBE_STEPS): Promise<Omit<StepProbe, 'cached'>> {
  // the layout (backend, model threads, attention) training would use for the whole config
  const run = await assembleRun(config);
  const backend = run.layout.backend;
  const measuredBatch = Math.min(config.batchSize, PROBE_MAX_BATCH);
  const c: StudioConfig = { ...config, batchSize: measuredBatch };
  const system = await run.createSystem(c, c.seed);
  try {
    const micro = Array.from({ length: c.accumulate }, (_, i) => syntheticBatch(c, i));
    const batch = c.accumulate > 1 ? micro : micro[0]!;
    const sched = scheduleAt(c, 1000, 10);
    await system.step(batch, sched);
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await system.step(batch, sched);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const mid = times.length % 2 ? times[(times.length - 1) / 2]! : (times[times.length / 2 - 1]! + times[times.length / 2]!) / 2;
    const msPerStep = (mid * config.batchSize) / measuredBatch;
    return {
      msPerStep,
      imagesPerSec: (imagesPerStep(config) * 1000) / msPerStep,
      measuredBatch,
      batchSize: effectiveBatch(config),
      steps,
      backend: backend.name,
    };
  } finally {
    system.dispose();
  }
}
