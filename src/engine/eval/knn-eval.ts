// k-NN evaluation of a model on labelled train/val images (eval_knn.py protocol) and nearest-neighbour galleries for a query image.
import { BackboneRunner } from './backbone-runner';
import type { EvalModel } from './eval-model';
import type { Preprocess } from './eval-image';
import { extractFeatures } from './feature-extract';
import { FeatureCache } from './feature-cache';
import { DINO_KNN_TEMPERATURE, knnClassify, l2NormalizeRows, nearestNeighbours, type FeatureMatrix } from './knn-classify';
import { SeededRng } from '../util/seeded-rng';

export interface LabelledImage {
  path: string;
  label: string;
}

export interface KnnEvalOptions {
  k: number;
  temperature?: number;
  preprocess: Preprocess;
  batchSize?: number;
  /** Progress of feature extraction: which set, images done, total. */
  onProgress?: (stage: 'train' | 'val', done: number, total: number) => void;
  cache?: FeatureCache;
}

export interface KnnEvalResult {
  top1: number;
  top5: number | null;
  k: number;
  train: number;
  val: number;
  classes: string[];
  perClass: { name: string; count: number; top1: number }[];
  /** Per val image: its label and the predicted one. */
  predictions: { path: string; label: string; predicted: string }[];
  preprocess: Preprocess;
  seconds: number;
}

/** An identity for cached features: the model's label and checkpoint (a file's features change when the file does). */
export function modelId(model: EvalModel): string {
  return `${model.label}\u0000${model.checkpoint ?? ''}`;
}

/** Features of images, from the cache where present; the rest in batches through the backbone. */
export async function featuresOf(
  runner: BackboneRunner,
  model: EvalModel,
  paths: string[],
  pre: Preprocess,
  opts: { batchSize?: number; cache?: FeatureCache; onProgress?: (done: number, total: number) => void },
): Promise<FeatureMatrix> {
  const dim = model.vit.embedDim;
  const out = new Float32Array(paths.length * dim);
  const keys = opts.cache ? await Promise.all(paths.map((p) => FeatureCache.key(modelId(model), pre, p))) : [];
  const todo: number[] = [];
  paths.forEach((_, i) => {
    const hit = opts.cache?.get(keys[i]!);
    if (hit) out.set(hit, i * dim);
    else todo.push(i);
  });
  const cached = paths.length - todo.length;
  if (todo.length) {
    const fresh = await extractFeatures(
      runner,
      todo.map((i) => paths[i]!),
      { preprocess: pre, batchSize: opts.batchSize, onProgress: (d) => opts.onProgress?.(cached + d, paths.length) },
    );
    todo.forEach((i, j) => {
      const row = fresh.data.slice(j * dim, (j + 1) * dim);
      out.set(row, i * dim);
      opts.cache?.set(keys[i]!, row);
    });
  } else opts.onProgress?.(paths.length, paths.length);
  return { rows: paths.length, dim, data: out };
}

/** Weighted k-NN (k, T = 0.07) of val on train, with teacher CLS features L2-normalised, as eval_knn.py. */
export async function evaluateKnn(model: EvalModel, train: LabelledImage[], val: LabelledImage[], opts: KnnEvalOptions): Promise<KnnEvalResult> {
  if (!train.length) throw new Error('k-NN: the train folder has no labelled images (it needs class subfolders with images)');
  if (!val.length) throw new Error('k-NN: the val folder has no labelled images (it needs class subfolders with images)');
  const t0 = performance.now();
  const classes = [...new Set([...train, ...val].map((x) => x.label))].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  const runner = new BackboneRunner(model.vit, model.backbone, model.label);
  try {
    const trainF = await featuresOf(runner, model, train.map((x) => x.path), opts.preprocess, {
      batchSize: opts.batchSize,
      cache: opts.cache,
      onProgress: (d, t) => opts.onProgress?.('train', d, t),
    });
    const valF = await featuresOf(runner, model, val.map((x) => x.path), opts.preprocess, {
      batchSize: opts.batchSize,
      cache: opts.cache,
      onProgress: (d, t) => opts.onProgress?.('val', d, t),
    });
    const r = knnClassify(
      l2NormalizeRows(trainF),
      train.map((x) => index.get(x.label)!),
      l2NormalizeRows(valF),
      val.map((x) => index.get(x.label)!),
      classes.length,
      { k: opts.k, temperature: opts.temperature ?? DINO_KNN_TEMPERATURE },
    );
    return {
      top1: r.top1,
      top5: r.top5,
      k: r.k,
      train: train.length,
      val: val.length,
      classes,
      // Classes with val images (a class present only in train has nothing to score).
      perClass: r.perClass.filter((p) => p.count > 0).map((p) => ({ name: classes[p.label]!, count: p.count, top1: p.top1 })),
      predictions: val.map((x, i) => ({ path: x.path, label: x.label, predicted: classes[r.predictions[i]!]! })),
      preprocess: opts.preprocess,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    runner.dispose();
  }
}

/** The k train images most similar (cosine of L2-normalised CLS features) to a query image. */
export async function neighboursOf(
  model: EvalModel,
  gallery: { path: string; label: string | null }[],
  query: string,
  k: number,
  opts: { preprocess: Preprocess; batchSize?: number; cache?: FeatureCache; onProgress?: (done: number, total: number) => void },
): Promise<{ path: string; label: string | null; similarity: number }[]> {
  if (!gallery.length) throw new Error('nearest neighbours: the gallery folder has no images');
  const runner = new BackboneRunner(model.vit, model.backbone, model.label);
  try {
    const g = l2NormalizeRows(await featuresOf(runner, model, gallery.map((x) => x.path), opts.preprocess, opts));
    const q = l2NormalizeRows(await featuresOf(runner, model, [query], opts.preprocess, { cache: opts.cache }));
    return nearestNeighbours(q.data, g, k).map((n) => ({ path: gallery[n.index]!.path, label: gallery[n.index]!.label, similarity: n.similarity }));
  } finally {
    runner.dispose();
  }
}

/** A held-out split of one labelled folder: per class, a seeded shuffle, the first `fraction` (at least one image) to val. */
export function holdOutSplit(images: LabelledImage[], fraction: number, seed: number): { train: LabelledImage[]; val: LabelledImage[] } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`held-out fraction ${fraction} must lie strictly between 0 and 1`);
  const byClass = new Map<string, LabelledImage[]>();
  for (const im of [...images].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    (byClass.get(im.label) ?? byClass.set(im.label, []).get(im.label)!).push(im);
  }
  const train: LabelledImage[] = [];
  const val: LabelledImage[] = [];
  let ci = 0;
  for (const label of [...byClass.keys()].sort()) {
    const list = byClass.get(label)!;
    const rng = new SeededRng(seed, ci++);
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    const nVal = list.length < 2 ? 0 : Math.max(1, Math.round(list.length * fraction));
    val.push(...list.slice(0, nVal));
    train.push(...list.slice(nVal));
  }
  return { train, val };
}
