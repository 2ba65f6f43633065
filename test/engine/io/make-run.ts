// Test support: a real run folder (config.json + a checkpoint written by CheckpointStore) with seeded initial weights of a small ViT.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StudioConfig } from '../../../src/shared/config-schema';
import { tinyModelConfig } from '../../support/tiny-model-config';
import { vitConfig, vitSpecs } from '../../../src/engine/model/vit';
import { headSpecs } from '../../../src/engine/model/dino-head';
import { initParams } from '../../../src/engine/model/init';
import { CheckpointStore, type CheckpointMeta } from '../../../src/engine/train/checkpoint-store';
import { writeRunConfig } from '../../../src/engine/train/run-store';
import type { NamedTensors } from '../../../src/engine/train/step-types';

export function smallConfig(over: Partial<StudioConfig> = {}): StudioConfig {
  return tinyModelConfig({ depth: 2, backend: 'cpu', ...over });
}

/** Teacher (and student) tensors for a config: the official init from a seed, plus awkward float values to prove bit-exactness. */
export function seededState(config: StudioConfig, seed: number): NamedTensors {
  const vit = vitConfig(config.arch, config.patchSize, config.depth);
  const specs = [
    ...vitSpecs(vit),
    ...headSpecs({ inDim: vit.embedDim, hiddenDim: config.headHiddenDim, bottleneckDim: config.headBottleneckDim, outDim: config.outDim, normLastLayer: config.normLastLayer }),
  ];
  const t = initParams(specs, seed);
  // -0, the smallest subnormal, and values with a full mantissa (harmless for a forward pass).
  const b = t['blocks.0.norm1.bias']!.data;
  b[0] = -0;
  b[1] = 1.401298464324817e-45;
  b[2] = 1 / 3;
  b[3] = 0.1;
  return t;
}

/** A run folder under `root` whose checkpoint step-00000000 (and, if asked, a later one) holds seeded weights. */
export async function makeRun(root: string, config: StudioConfig, steps: number[] = [0]): Promise<{ runDir: string; teachers: Record<string, NamedTensors> }> {
  const runDir = join(root, 'run-a');
  mkdirSync(runDir, { recursive: true });
  await writeRunConfig(runDir, config);
  const store = new CheckpointStore(runDir);
  const teachers: Record<string, NamedTensors> = {};
  for (const step of steps) {
    const teacher = seededState(config, 100 + step);
    const meta: CheckpointMeta = {
      format: 'multicrop-checkpoint/1',
      step,
      epoch: 0,
      optimizerStep: step,
      loaderPosition: { epoch: 0, index: step },
      rng: { seed: config.seed, note: 'test' },
      config,
      dataset: { root: '/data/hymenoptera/train', fingerprint: { sha256: '0'.repeat(64), files: 0, bytes: 0 } },
      createdAt: new Date(0).toISOString(),
    };
    const name = await store.save(meta, {
      student: seededState(config, 200 + step),
      teacher,
      optimizer: {},
      center: { shape: [1, config.outDim], data: new Float32Array(config.outDim) },
      optimizerStep: step,
    });
    teachers[name] = teacher;
  }
  return { runDir, teachers };
}

/** Bitwise equality of two float32 arrays (distinguishes -0 from 0, compares NaN payloads). */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
