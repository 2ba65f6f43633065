// `multicrop scan DIR`: scan a dataset folder and list its classes, usable images and every skipped file with its reason.
import { stat } from 'node:fs/promises';
import { scanDataset } from '../../engine/dataset/scan-dataset';
import { output, type CliCommand } from '../cli-command';

export const scanCommand: CliCommand = {
  name: 'scan',
  summary: 'Scan a dataset folder: layout, classes, usable images, and every skipped file with its reason.',
  spec: {
    positionals: ['DIR'],
    options: [{ name: 'maxPixels', type: 'number', value: 'N', help: 'Skip images declaring more pixels than this (decompression-bomb guard)', default: 100_000_000 }],
  },
  async run(args) {
    const dir = args.positionals[0];
    if (!dir) {
      process.stderr.write('multicrop scan: give the dataset folder, e.g. multicrop scan ~/data/hymenoptera/train\n');
      return 2;
    }
    try {
      if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
    } catch (e) {
      process.stderr.write(`multicrop scan: ${dir} cannot be opened as a folder (${(e as Error).message})\n`);
      return 1;
    }
    const tty = !args.json && process.stderr.isTTY;
    const r = await scanDataset(dir, {
      maxPixels: Number(args.options.maxPixels),
      onProgress: tty ? (done, total) => process.stderr.write(`\rScanning: ${done}/${total ?? '?'}`) : undefined,
    });
    if (tty) process.stderr.write('\n');
    const value = {
      root: r.root,
      layout: r.layout,
      classes: r.classes,
      images: r.images.length,
      skipped: r.skipped.map((s) => ({ path: s.path, reason: s.reason, detail: s.detail })),
      seconds: r.seconds,
    };
    output(args, value, () =>
      [
        `${r.root}: ${r.layout === 'imagefolder' ? 'ImageFolder layout' : 'flat layout (no labels)'}, ${r.images.length} usable images, ${r.skipped.length} skipped (${r.seconds.toFixed(2)} s)`,
        ...r.classes.map((c) => `  class ${c.name}: ${c.count}`),
        ...r.skipped.map((s) => `  skipped ${s.path}: ${s.reason}${s.detail ? ` (${s.detail})` : ''}`),
      ].join('\n'),
    );
    return 0;
  },
};
