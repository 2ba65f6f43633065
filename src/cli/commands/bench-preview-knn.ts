// bench-preview's k-NN mode: preview round trips timed while the engine runs a k-NN evaluation (a fresh run's step-0 teacher).
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ForkedEngineClient } from '../../engine/engine-client';
import { resolveDataDir, runsDirOf } from '../../engine/roots/data-dir';
import { assembleRun } from '../../engine/train/assemble-run';
import { newRunDir } from '../../engine/train/train-loop';
import { RECIPE_DEFAULTS, type StudioConfig } from '../../shared/config-schema';
import type { ImageEntry } from '../../shared/ipc-contract';

export interface KnnInFlight {
  runId: string;
  model: string;
  train: string;
  val: string;
  knnSeconds: number;
  top1: number | null;
  error: string | null;
  /** Preview round trips and engine times measured while the k-NN was in flight. */
  ms: number[];
  engineMs: number[];
}

/**
 * Write a step-0 checkpoint of `model` (ViT-Tiny/16, 12 blocks, 224 px unless the flags say otherwise) into the engine's
 * runs folder, start eval:knn on it (train vs val folders), and time one preview every ~200 ms until the k-NN answers.
 */
export async function previewsDuringKnn(
  engine: ForkedEngineClient,
  opts: { train: string; trainImages: ImageEntry[]; val: string; config: StudioConfig; preview: (i: number) => Promise<{ ms: number; engineMs: number }> },
): Promise<KnnInFlight> {
  const config: StudioConfig = { ...RECIPE_DEFAULTS, ...opts.config, batchSize: 1, accumulate: 1, workers: 0, backend: 'wasm' };
  const runDir = newRunDir(runsDirOf(resolveDataDir()), `bench-preview-knn-${basename(opts.train)}`);
  const run = await assembleRun(config, { replicas: 1 });
  await run.train({ runDir, dataset: opts.train, images: opts.trainImages, maxSteps: 0, onlineEval: async () => null });
  const runId = basename(runDir);
  for (const dir of [opts.train, opts.val]) {
    const r = await engine.call('folders:open', { path: dir });
    if (!r.ok) throw new Error(`opening ${dir} failed: ${r.error.message}`);
  }
  const ms: number[] = [];
  const engineMs: number[] = [];
  const t0 = performance.now();
  let settled = false;
  const knn = engine.call('eval:knn', { source: { runId }, train: opts.train, val: opts.val, k: 20 }).finally(() => (settled = true));
  for (let i = 0; !settled; i++) {
    const r = await opts.preview(2000 + i);
    if (settled) break; // the k-NN ended during this preview: not a sample "while it runs"
    ms.push(r.ms);
    engineMs.push(r.engineMs);
    await new Promise((res) => setTimeout(res, 200)); // a person moving a slider now and then
  }
  const res = await knn;
  return {
    runId,
    model: `${config.arch}/${config.patchSize} depth ${config.depth}, ${config.globalSize} px`,
    train: opts.train,
    val: opts.val,
    knnSeconds: Math.round((performance.now() - t0) / 10) / 100,
    top1: res.ok ? res.value.top1 : null,
    error: res.ok ? null : res.error.message,
    ms,
    engineMs,
  };
}
