// Writes the app's multi-crop training batches (the loader of a run, same order and views) to a file, so that scripts/torch-dino-check.py --views can train PyTorch on exactly them.
// Usage: node --import tsx scripts/dump-views.ts DATA_TRAIN_DIR OUT_DIR --steps N [--seed S] [--preset cpu-small] [--set key=json ...]
//   -> OUT_DIR/views.f32 (per step: the 2 global views then the locals, view-major NCHW normalised float32, as the trainer gets them)
//      and OUT_DIR/views.json (batch, sizes, views, steps, per-step dataset indices and the config used).
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { scanDataset } from '../src/engine/dataset/scan-dataset';
import { MulticropLoader } from '../src/engine/loader/multicrop-loader';
import { presetConfig, type PresetName, type StudioConfig, configSchema } from '../src/shared/config-schema';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { steps: { type: 'string' }, seed: { type: 'string', default: '0' }, preset: { type: 'string', default: 'cpu-small' }, set: { type: 'string', multiple: true } },
});
const [dataArg, outArg] = positionals;
if (!dataArg || !outArg || !values.steps) throw new Error('usage: node --import tsx scripts/dump-views.ts DATA_TRAIN_DIR OUT_DIR --steps N [--seed S] [--preset NAME] [--set key=json]');
const steps = Number(values.steps);
const overrides: Partial<StudioConfig> = {};
for (const kv of values.set ?? []) {
  const at = kv.indexOf('=');
  (overrides as Record<string, unknown>)[kv.slice(0, at)] = JSON.parse(kv.slice(at + 1));
}
const config = configSchema.parse({ ...presetConfig(values.preset as PresetName), ...overrides, seed: Number(values.seed) });
const out = resolve(outArg);
mkdirSync(out, { recursive: true });
const images = (await scanDataset(resolve(dataArg), { maxPixels: config.maxPixels })).images;
const loader = new MulticropLoader({ images, config, batchSize: config.batchSize, seed: config.seed, workers: 1, prefetch: 4, maxPixels: config.maxPixels });
const fd = openSync(join(out, 'views.f32'), 'w');
const indices: number[][] = [];
try {
  for (let s = 0; s < steps; s++) {
    const batch = await loader.next();
    for (const g of batch.groups) writeSync(fd, new Uint8Array(g.data.buffer, g.data.byteOffset, g.data.byteLength));
    indices.push([...batch.imageIndices]);
    if ((s + 1) % 100 === 0) process.stderr.write(`dump-views: ${s + 1}/${steps} batches\n`);
  }
} finally {
  closeSync(fd);
  await loader.close();
}
const meta = {
  batch: config.batchSize,
  globalSize: config.globalSize,
  localSize: config.localSize,
  localCrops: config.localCrops,
  steps,
  batchesPerEpoch: loader.batchesPerEpoch,
  images: images.map((e) => e.path),
  indices,
  config,
};
writeFileSync(join(out, 'views.json'), JSON.stringify(meta));
process.stdout.write(JSON.stringify({ out, steps, images: images.length }) + '\n');
