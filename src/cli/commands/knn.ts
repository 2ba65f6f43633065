// `multicrop knn`: weighted k-NN accuracy (DINO's eval_knn.py protocol) of a run's teacher or imported weights on labelled train/val folders.
import { resolve } from 'node:path';
import { CliUsageError } from '../cli-args';
import { output, type CliCommand } from '../cli-command';
import { evalPreprocess } from '../../engine/eval/eval-model';
import { evaluateKnn, holdOutSplit } from '../../engine/eval/knn-eval';
import { listLabelled } from '../../engine/eval/labelled-images';
import { DINO_KNN_K, DINO_KNN_TEMPERATURE } from '../../engine/eval/knn-classify';
import { SOURCE_OPTIONS, loadModelFromArgs, progressPrinter, reportFailure } from './eval-common';

const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(2)} %`);

export const knnCommand: CliCommand = {
  name: 'knn',
  summary: "k-NN accuracy (eval_knn.py: teacher CLS, cosine, k=20, votes exp(sim/0.07)) on labelled train/val folders.",
  spec: {
    options: [
      ...SOURCE_OPTIONS,
      { name: 'train', type: 'string', value: 'DIR', help: 'Labelled train folder (class subfolders)' },
      { name: 'val', type: 'string', value: 'DIR', help: 'Labelled val folder (class subfolders)' },
      { name: 'data', type: 'string', value: 'DIR', help: 'Instead of --train/--val: one labelled folder split per class (see --holdout)' },
      { name: 'holdout', type: 'number', value: 'F', help: 'With --data: fraction of each class held out as val', default: 0.2 },
      { name: 'k', type: 'number', value: 'K', help: 'Neighbours that vote', default: DINO_KNN_K },
      { name: 'temperature', type: 'number', value: 'T', help: 'Vote weight exp(sim / T)', default: DINO_KNN_TEMPERATURE },
      { name: 'size', type: 'number', value: 'N', help: "Eval crop size (default: the run's global crop size, 224 for --weights)" },
      { name: 'batchSize', type: 'number', value: 'N', help: 'Images per forward pass', default: 32 },
      { name: 'seed', type: 'number', value: 'S', help: 'Seed of the --holdout split', default: 0 },
    ],
  },
  async run(args) {
    const o = args.options;
    const k = Number(o.k);
    if (!Number.isInteger(k) || k < 1) throw new CliUsageError(`--k ${o.k} must be a whole number >= 1`);
    if (o.data !== undefined && (o.train !== undefined || o.val !== undefined)) throw new CliUsageError('give --train and --val, or --data with --holdout, not both');
    if (o.data === undefined && (o.train === undefined || o.val === undefined)) throw new CliUsageError('--train DIR and --val DIR are required (or --data DIR --holdout F)');
    try {
      const model = await loadModelFromArgs(args);
      let train;
      let val;
      if (o.data !== undefined) {
        const all = await listLabelled(resolve(String(o.data)));
        ({ train, val } = holdOutSplit(all.images, Number(o.holdout), Number(o.seed)));
      } else {
        train = (await listLabelled(resolve(String(o.train)))).images;
        val = (await listLabelled(resolve(String(o.val)))).images;
      }
      const progress = progressPrinter(args);
      const pre = evalPreprocess(model, o.size as number | undefined);
      const r = await evaluateKnn(model, train, val, {
        k,
        temperature: Number(o.temperature),
        preprocess: pre,
        batchSize: Number(o.batchSize),
        onProgress: progress ? (stage, d, t) => progress(`features (${stage})`, d, t) : undefined,
      });
      const value = {
        top1: r.top1,
        top5: r.top5,
        k: r.k,
        train: r.train,
        val: r.val,
        perClass: r.perClass,
        model: model.label,
        checkpoint: model.checkpoint,
        preprocess: r.preprocess,
        seconds: r.seconds,
      };
      output(args, value, () =>
        [
          `${model.label}: ${r.k}-NN top-1 ${pct(r.top1)}${r.top5 !== null ? `, top-5 ${pct(r.top5)}` : ''} (${r.train} train, ${r.val} val images, ${r.seconds.toFixed(1)} s)`,
          ...r.perClass.map((c) => `  ${c.name}: ${pct(c.top1)} of ${c.count}`),
        ].join('\n'),
      );
      return 0;
    } catch (e) {
      return reportFailure('knn', e);
    }
  },
};
