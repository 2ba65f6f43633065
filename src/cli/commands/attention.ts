// `multicrop attention`: per-head attention maps of one image (heatmaps, overlays, threshold masks as PNGs) and a JSON of the maps.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CliUsageError } from '../cli-args';
import { output, type CliCommand } from '../cli-command';
import { BackboneRunner } from '../../engine/eval/backbone-runner';
import { ATTENTION_IMAGE_SIZE, attentionOnObjectAtStep0, computeAttention } from '../../engine/eval/attention-maps';
import { maskedMass } from '../../engine/eval/attention-threshold';
import type { Preprocess } from '../../engine/eval/eval-image';
import { SOURCE_OPTIONS, loadModelFromArgs, reportFailure } from './eval-common';

export const attentionCommand: CliCommand = {
  name: 'attention',
  summary: "Last-block CLS attention per head for an image: heatmaps, overlays and visualize_attention.py's threshold masks.",
  spec: {
    options: [
      ...SOURCE_OPTIONS,
      { name: 'image', type: 'string', value: 'IMG', help: 'Image file' },
      { name: 'out', type: 'string', value: 'DIR', help: 'Folder for the PNGs and attention.json (created if missing)' },
      { name: 'threshold', type: 'number', value: 'T', help: 'Keep the smallest patch set holding this fraction of each head\'s attention', default: 0.6 },
      { name: 'size', type: 'number', value: 'N', help: 'Short side of the image fed to the model (aspect kept; cropped to a patch multiple)', default: ATTENTION_IMAGE_SIZE },
      { name: 'resize', type: 'boolean', help: '--no-resize feeds the image as it is (cropped to a patch multiple)', default: true },
    ],
  },
  async run(args) {
    const o = args.options;
    if (!o.image || !o.out) throw new CliUsageError('--image IMG and --out DIR are required');
    const t = Number(o.threshold);
    if (!(t >= 0 && t <= 1)) throw new CliUsageError(`--threshold ${o.threshold} must lie in [0, 1]`);
    try {
      const model = await loadModelFromArgs(args);
      const pre: Preprocess = o.resize ? { kind: 'short-side', size: Number(o.size), patch: model.vit.patchSize } : { kind: 'none', patch: model.vit.patchSize };
      const runner = new BackboneRunner(model.vit, model.backbone, model.label);
      let a;
      try {
        a = await computeAttention(runner, resolve(String(o.image)), pre, t);
      } finally {
        runner.dispose();
      }
      const onObjectAtStep0 = await attentionOnObjectAtStep0(model, resolve(String(o.image)), pre);
      const out = resolve(String(o.out));
      await mkdir(out, { recursive: true });
      const files = ['img.png'];
      await writeFile(join(out, 'img.png'), a.png.image);
      for (let h = 0; h < a.result.heads; h++) {
        const names = [`attn-head${h}.png`, `overlay-head${h}.png`, `mask_th${t}_head${h}.png`];
        await writeFile(join(out, names[0]!), a.png.heatmaps[h]!);
        await writeFile(join(out, names[1]!), a.png.overlays[h]!);
        await writeFile(join(out, names[2]!), a.png.thresholded[h]!);
        files.push(...names);
      }
      const summary = {
        image: a.result.image,
        model: model.label,
        arch: model.arch,
        patchSize: model.vit.patchSize,
        width: a.input.w,
        height: a.input.h,
        heads: a.result.heads,
        gridW: a.result.gridW,
        gridH: a.result.gridH,
        threshold: t,
        maps: a.result.maps,
        masks: a.masks.map((m) => Array.from(m)),
        keptPatches: a.masks.map((m) => m.reduce((s, v) => s + v, 0)),
        keptMass: a.masks.map((m, h) => maskedMass(a.result.maps[h]!, m)),
        onObject: a.result.onObject ?? null,
        onObjectAtStep0,
      };
      await writeFile(join(out, 'attention.json'), JSON.stringify(summary) + '\n');
      files.push('attention.json');
      const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
      output(
        args,
        { out, files, heads: summary.heads, gridW: summary.gridW, gridH: summary.gridH, keptPatches: summary.keptPatches, onObject: summary.onObject, onObjectAtStep0 },
        () =>
        [
          `${model.label}: ${summary.heads} heads on a ${summary.gridW} x ${summary.gridH} patch grid (${summary.width} x ${summary.height} px)`,
          ...summary.keptPatches.map((k, h) => `  head ${h}: ${k} patches hold ${(100 * summary.keptMass[h]!).toFixed(1)} % of the attention (threshold ${t})`),
          ...(summary.onObject
            ? [
                `  attention on the object (mask ${summary.onObject.mask}): ${pct(summary.onObject.mean)} (heads ${summary.onObject.perHead.map(pct).join(', ')}); ` +
                  `the object covers ${pct(summary.onObject.objectShare)} of the patches` +
                  (onObjectAtStep0 ? `; at step 0: ${pct(onObjectAtStep0.mean)}` : ''),
              ]
            : []),
          `wrote ${files.length} files to ${out}`,
        ].join('\n'),
      );
      return 0;
    } catch (e) {
      return reportFailure('attention', e);
    }
  },
};
