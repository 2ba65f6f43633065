// `multicrop bench-loader --data DIR`: images/s of the multi-crop loader, and of the lesson's torchvision anchor in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanDataset } from '../../engine/dataset/scan-dataset';
import { decodeImage } from '../../engine/loader/decode-image';
import { MulticropLoader } from '../../engine/loader/multicrop-loader';
import { RECIPE_DEFAULTS, augmentPart, type StudioConfig } from '../../shared/config-schema';
import { output, type CliCommand } from '../cli-command';
import { LOADER_BENCH_SETTINGS } from '../command-settings';

const PYTHON = '/usr/bin/python3';

/** ../shared/anchors/seed_multicrop_loader.py beside the checkout, if present. */
function anchorScript(): string | null {
  const candidates = [resolve(process.cwd(), '../shared/anchors/seed_multicrop_loader.py')];
  const here = fileURLToPath(import.meta.url);
  for (let dir = resolve(here, '..'), k = 0; k < 6; k++, dir = resolve(dir, '..')) candidates.push(resolve(dir, '../shared/anchors/seed_multicrop_loader.py'));
  return candidates.find((p) => existsSync(p)) ?? null;
}

function torchAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0;
}

/** Our own floor: sharp decoding every image once (full size, RGB), `parallel` at a time, images/s. */
async function ownDecodeOnly(images: { path: string; width: number; height: number; format: string }[], parallel: number, maxPixels: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const run = async () => {
    while (next < images.length) {
      const e = images[next++]!;
      await decodeImage(e.path, { width: e.width, height: e.height, format: e.format, maxPixels }).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, run));
  return images.length / ((performance.now() - t0) / 1000);
}

/** Run the anchor and parse its "N images/s". */
function runAnchor(script: string, dir: string, workers: number, batch: number, epochs: number, decodeOnly: boolean): number {
  const argv = [script, dir, '--workers', String(workers), '--batch', String(batch), '--epochs', String(epochs)];
  if (decodeOnly) argv.push('--decode-only');
  const r = spawnSync(PYTHON, argv, { encoding: 'utf8' });
  const m = /([\d.]+) images\/s/.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) throw new Error(`the anchor ${script}${decodeOnly ? ' --decode-only' : ''} failed: ${(r.stderr || r.stdout || '').trim().slice(-400)}`);
  return Number(m[1]);
}

export const benchLoaderCommand: CliCommand = {
  name: 'bench-loader',
  summary: 'Measure the multi-crop loader (recipe views: 2 global + N local crops) and the torchvision anchor in one run.',
  spec: {
    config: LOADER_BENCH_SETTINGS,
    options: [
      { name: 'data', type: 'string', value: 'DIR', help: 'Dataset folder (ImageFolder layout for the anchor)' },
      { name: 'workers', type: 'number', value: 'N', help: 'Loader worker threads (and anchor DataLoader workers)', default: 2 },
      { name: 'epochs', type: 'number', value: 'E', help: 'Epochs to time', default: 2 },
      { name: 'batch', type: 'number', value: 'B', help: 'Batch size', default: 32 },
      { name: 'anchor', type: 'boolean', help: 'Also run ../shared/anchors/seed_multicrop_loader.py (default: when python3 with torch exists)' },
    ],
  },
  async run(args) {
    const dir = args.options.data;
    if (typeof dir !== 'string') {
      process.stderr.write('multicrop bench-loader: give --data DIR, e.g. --data ../shared/datasets/hymenoptera/train\n');
      return 2;
    }
    const workers = Number(args.options.workers);
    const epochs = Number(args.options.epochs);
    const batch = Number(args.options.batch);
    for (const [flag, v, lo] of [['--workers', workers, 0], ['--epochs', epochs, 1], ['--batch', batch, 1]] as const) {
      if (!Number.isInteger(v) || v < lo) {
        process.stderr.write(`multicrop bench-loader: ${flag} ${v} must be a whole number >= ${lo}\n`);
        return 2;
      }
    }
    // The recipe's views (as the anchor), with any augmentation setting given explicitly on top.
    const explicit: Partial<StudioConfig> = {};
    for (const k of args.explicit) (explicit as Record<string, unknown>)[k] = args.config[k];
    const config = augmentPart({ ...RECIPE_DEFAULTS, ...explicit });

    const scan = await scanDataset(dir, { maxPixels: args.config.maxPixels });
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const loader = new MulticropLoader({ images: scan.images, config, batchSize: batch, seed: args.config.seed, workers, prefetch: Math.max(args.config.prefetch, workers + 1) });
    let images = 0;
    let bytesPerBatch = 0;
    let seconds = 0;
    try {
      await loader.next(); // warm up (workers started, code compiled), as the anchor's next(iter(dl))
      const t0 = performance.now();
      for (let k = 0; k < epochs * loader.batchesPerEpoch; k++) {
        const b = await loader.next();
        images += b.batchSize;
        bytesPerBatch = b.groups.reduce((s, g) => s + g.data.byteLength, 0);
        loader.recycle(b); // a consumer done with the batch (as the trainer after its step)
      }
      seconds = (performance.now() - t0) / 1000;
    } finally {
      clearInterval(sampler);
      await loader.close();
    }
    const result: Record<string, unknown> = {
      imagesPerSec: images / seconds,
      images,
      seconds,
      workers,
      batch,
      epochs,
      views: 2 + config.localCrops,
      peakRssMb: peakRss / 2 ** 20,
      bytesPerBatch,
      loadFailures: loader.decodeFailures.count,
      ownDecodeOnlyImagesPerSec: await ownDecodeOnly(scan.images, Math.max(1, workers), args.config.maxPixels),
    };
    const script = anchorScript();
    const wantAnchor = args.options.anchor ?? (script !== null && torchAvailable());
    if (wantAnchor) {
      if (!script || !torchAvailable()) {
        process.stderr.write('multicrop bench-loader: --anchor needs ../shared/anchors/seed_multicrop_loader.py and /usr/bin/python3 with torch and torchvision\n');
        return 1;
      }
      const anchor = runAnchor(script, resolve(dir), workers, batch, epochs, false);
      const decodeOnly = runAnchor(script, resolve(dir), workers, batch, epochs, true);
      Object.assign(result, { anchorImagesPerSec: anchor, ratio: (images / seconds) / anchor, decodeOnlyImagesPerSec: decodeOnly });
    }
    output(args, result, () =>
      [
        `multi-crop loader: ${(images / seconds).toFixed(1)} images/s (${images} images, ${2 + config.localCrops} views each, ${workers} workers, ${seconds.toFixed(1)} s, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB)`,
        ...(result.anchorImagesPerSec !== undefined
          ? [
              `torchvision anchor: ${Number(result.anchorImagesPerSec).toFixed(1)} images/s -> ratio ${Number(result.ratio).toFixed(2)}x`,
              `anchor decode-only floor (PIL): ${Number(result.decodeOnlyImagesPerSec).toFixed(1)} images/s; ours (sharp): ${Number(result.ownDecodeOnlyImagesPerSec).toFixed(1)} images/s`,
            ]
          : ['(anchor not run: needs /usr/bin/python3 with torch and ../shared/anchors)']),
      ].join('\n'),
    );
    return 0;
  },
};
