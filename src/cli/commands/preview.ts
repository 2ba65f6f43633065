// `multicrop preview IMAGE --out DIR`: write every augmented view as PNG, an overview (every view's box drawn on the source, and the views), plus views.json (crop boxes in source pixels, drawn ops).
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderPreviewOverview } from '../../engine/augment/preview-overview';
import { renderPreview } from '../../engine/augment/render-preview';
import { augmentPart } from '../../shared/config-schema';
import { output, type CliCommand } from '../cli-command';
import { PREVIEW_SETTINGS } from '../command-settings';

export const previewCommand: CliCommand = {
  name: 'preview',
  summary: 'Write the multi-crop views of one image (PNG each), overview.png (every view\'s box drawn on the source, and the views) and views.json with crop boxes and drawn ops.',
  spec: {
    positionals: ['IMAGE'],
    config: PREVIEW_SETTINGS,
    options: [
      { name: 'out', type: 'string', value: 'DIR', help: 'Folder to write the views into (created if missing)' },
      { name: 'repeat', type: 'number', value: 'R', help: 'Number of independent draws of every view', default: 1 },
    ],
  },
  async run(args) {
    const image = args.positionals[0];
    const out = args.options.out;
    if (!image || typeof out !== 'string') {
      process.stderr.write('multicrop preview: give an image and --out DIR, e.g. multicrop preview ant.jpg --out views\n');
      return 2;
    }
    const repeat = Number(args.options.repeat);
    if (!Number.isInteger(repeat) || repeat < 1 || repeat > 1000) {
      process.stderr.write(`multicrop preview: --repeat ${args.options.repeat} must be a whole number from 1 to 1000\n`);
      return 2;
    }
    const config = augmentPart(args.config);
    const seed = args.config.seed;
    await mkdir(out, { recursive: true });
    const records = [];
    const overviews: string[] = [];
    let width = 0;
    let height = 0;
    for (let r = 0; r < repeat; r++) {
      const p = await renderPreview(resolve(image), config, seed, { repeat: r, maxPixels: args.config.maxPixels });
      width = p.width;
      height = p.height;
      for (const v of p.views) {
        const file = `${repeat > 1 ? `r${r}-` : ''}${v.name.replace(/ /g, '-')}.png`;
        await writeFile(join(out, file), Buffer.from(v.png.slice(v.png.indexOf(',') + 1), 'base64'));
        records.push({ repeat: r, name: v.name, kind: v.kind, size: v.size, file, box: v.box, ops: v.ops });
      }
      const overview = `${repeat > 1 ? `r${r}-` : ''}overview.png`;
      await writeFile(join(out, overview), (await renderPreviewOverview(resolve(image), p, args.config.maxPixels)).png);
      overviews.push(overview);
    }
    const summary = { image: resolve(image), width, height, seed, config, overviews, views: records };
    await writeFile(join(out, 'views.json'), JSON.stringify(summary, null, 2) + '\n');
    output(args, summary, () => `${records.length} views of ${image} (${width}x${height}, seed ${seed}) and ${overviews.join(', ')} written to ${resolve(out)}`);
    return 0;
  },
};
