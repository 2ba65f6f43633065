// `multicrop embed`: one image through a ViT backbone: the CLS embedding after the final norm and the last block's CLS-to-patch attention.
import { resolve } from 'node:path';
import { CliUsageError } from '../cli-args';
import { output, type CliCommand } from '../cli-command';
import { BackboneRunner } from '../../engine/eval/backbone-runner';
import { evalPreprocess } from '../../engine/eval/eval-model';
import { loadEvalImage, type Preprocess } from '../../engine/eval/eval-image';
import { SOURCE_OPTIONS, loadModelFromArgs, reportFailure } from './eval-common';

export const embedCommand: CliCommand = {
  name: 'embed',
  summary: "Embed one image: CLS after the final norm and the last block's CLS-to-patch attention per head.",
  spec: {
    options: [
      ...SOURCE_OPTIONS,
      { name: 'image', type: 'string', value: 'IMG', help: 'Image file' },
      {
        name: 'resize',
        type: 'boolean',
        help: 'Apply the eval transform (short side to size*256/224 bicubic, centre crop); --no-resize feeds the pixels as they are (cropped to a patch multiple)',
        default: true,
      },
      { name: 'size', type: 'number', value: 'N', help: "Eval crop size (default: the run's global crop size, 224 for --weights)" },
    ],
  },
  async run(args) {
    const image = args.options.image as string | undefined;
    if (!image) throw new CliUsageError('--image IMG is required');
    try {
      const model = await loadModelFromArgs(args);
      const pre: Preprocess = args.options.resize ? evalPreprocess(model, args.options.size as number | undefined) : { kind: 'none', patch: model.vit.patchSize };
      const img = await loadEvalImage(resolve(image), pre);
      const runner = new BackboneRunner(model.vit, model.backbone, model.label);
      let out;
      try {
        out = await runner.embed([img], true);
      } finally {
        runner.dispose();
      }
      const heads = model.vit.heads;
      const patches = out.attention!.length / heads;
      const attention = Array.from({ length: heads }, (_, h) => Array.from(out.attention!.subarray(h * patches, (h + 1) * patches)));
      const cls = Array.from(out.cls);
      output(args, { cls, attention }, () =>
        [
          `${model.label}: ${model.arch}/${model.vit.patchSize}, depth ${model.vit.depth}; ${image} at ${img.w} x ${img.h} (${pre.kind === 'none' ? 'no resize' : `resize ${pre.kind === 'center-crop' ? `${pre.resize}, centre crop ${pre.crop}` : ''}`})`,
          `cls [${cls.length}]: ${cls.slice(0, 6).map((v) => v.toFixed(4)).join(', ')}, ...`,
          `attention [${heads} heads x ${patches} patches]; use --json for the values`,
        ].join('\n'),
      );
      return 0;
    } catch (e) {
      return reportFailure('embed', e);
    }
  },
};
