// The 3 DINO steps the compute-window test runs twice (in Chromium's WebGPU and on Node's cpu backend): one tiny config, seeded batches, schedules, and base64 for Float32Arrays crossing into the page.
import type { StudioConfig } from '../../src/shared/config-schema';
import type { Batch } from '../../src/engine/loader/batch-types';
import type { StepSchedule } from '../../src/engine/train/step-types';
import { SeededRng } from '../../src/engine/util/seeded-rng';
import { tinyModelConfig } from './tiny-model-config';

export const COMPUTE_CFG: StudioConfig = tinyModelConfig({ localCrops: 1, batchSize: 2, outDim: 16, headHiddenDim: 16, headBottleneckDim: 8, clipGrad: 3, normLastLayer: true });
export const COMPUTE_SEED = 5;
export const COMPUTE_STEPS = 3;

export function computeSched(step: number): StepSchedule {
  // Small: AdamW turns a gradient that is rounding noise on both backends into +-lr steps (see webgpu-parity.test.ts).
  return { lr: 1e-5, wd: 0.04, momentum: 0.9, teacherTemp: 0.04, freezeLastLayer: step === 0 };
}

export function computeBatch(step: number): Batch {
  const c = COMPUTE_CFG;
  const rng = new SeededRng(11, step);
  const group = (size: number, views: number) => ({ size, views, data: Float32Array.from({ length: views * c.batchSize * 3 * size * size }, () => rng.normal()) });
  return { epoch: 0, index: step, imageIndices: [0, 1], batchSize: c.batchSize, groups: [group(c.globalSize, 2), group(c.localSize, c.localCrops)], waitMs: 0 };
}

export function f32ToBase64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function base64ToF32(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** A DINO state's tensors flattened to name -> base64 (student.*, teacher.*, optimizer.*, center). */
export type EncodedState = Record<string, string>;
