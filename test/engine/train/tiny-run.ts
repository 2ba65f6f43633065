// Test support for training-loop tests: a folder of small generated photos-like images and a tiny config that trains in seconds.
import { tinyModelConfig } from '../../support/tiny-model-config';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { startBackend } from '../../../src/engine/backends/select-backend';
import { assembleRun } from '../../../src/engine/train/assemble-run';
import type { TrainDeps } from '../../../src/engine/train/train-loop';
import type { StudioConfig } from '../../../src/shared/config-schema';
import type { ImageEntry } from '../../../src/shared/ipc-contract';
import { SeededRng } from '../../../src/engine/util/seeded-rng';

/** Write `n` images (two classes: horizontal vs vertical stripes with noise, varied sizes) as PNG/JPEG under root/{a,b}. */
export async function writeTinyDataset(root: string, n: number, seed = 1): Promise<ImageEntry[]> {
  const rng = new SeededRng(seed);
  const out: ImageEntry[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2 ? 'b' : 'a';
    const w = 40 + rng.int(40);
    const h = 40 + rng.int(40);
    const px = Buffer.alloc(w * h * 3);
    const period = 4 + rng.int(8);
    const tint = [rng.int(256), rng.int(256), rng.int(256)];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const on = Math.floor((label === 'a' ? y : x) / period) % 2 === 0;
        for (let c = 0; c < 3; c++) px[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, (on ? tint[c]! : 255 - tint[c]!) + Math.round(rng.normal() * 12)));
      }
    }
    mkdirSync(join(root, label), { recursive: true });
    const format = i % 3 === 0 ? 'jpeg' : 'png';
    const rel = `${label}/img-${String(i).padStart(3, '0')}.${format === 'jpeg' ? 'jpg' : 'png'}`;
    const img = sharp(px, { raw: { width: w, height: h, channels: 3 } });
    await (format === 'jpeg' ? img.jpeg({ quality: 90 }) : img.png()).toFile(join(root, rel));
    out.push({ path: join(root, rel), rel, label, width: w, height: h, format });
  }
  return out;
}

/** A config small enough that a step takes tens of milliseconds on the cpu backend. */
export function tinyConfig(over: Partial<StudioConfig> = {}): StudioConfig {
  return tinyModelConfig({
    epochs: 4,
    warmupEpochs: 1,
    lr: 0.005,
    workers: 0,
    prefetch: 1,
    checkpointEvery: 3,
    backend: 'cpu',
    ...over,
  });
}

/** Select a tfjs backend for a test. */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  const b = await startBackend(name);
  if (b.name !== name) throw new Error(`could not select the tfjs ${name} backend: ${b.reason}`);
}

/** The run's real components on `backend`, bound as `train` binds them (assemble-run.ts: replicas and attention for this machine). */
export async function realDeps(backend: 'cpu' | 'wasm'): Promise<TrainDeps<ImageEntry>> {
  return (await assembleRun(tinyConfig({ backend }), { backend })).deps;
}
