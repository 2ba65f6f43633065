// Evaluation during training: the teacher's k-NN top-1/top-5 on a validation split (and, where object masks exist, its attention share on the objects) every N steps.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { StudioConfig } from '../../shared/config-schema';
import type { ImageEntry } from '../../shared/ipc-contract';
import type { NamedTensors } from '../train/step-types';
import { SeededRng } from '../util/seeded-rng';
import { attentionShare, type AttentionShare } from './attention-share';
import { BackboneRunner } from './backbone-runner';
import { evalCenterCrop, loadEvalImage, type EvalImage } from './eval-image';
import { modelFromTensors } from './eval-model';
import { DINO_KNN_K, DINO_KNN_TEMPERATURE, knnClassify, l2NormalizeRows } from './knn-classify';
import { holdOutSplit, type LabelledImage } from './knn-eval';
import { listLabelled } from './labelled-images';
import { maskPathFor, masksFolderOf, patchCoverage } from './object-masks';

/** Most images kept in memory for the memory bank and for the queries (a seeded subset beyond that). */
export const ONLINE_KNN_MAX_BANK = 2000;
export const ONLINE_KNN_MAX_QUERIES = 500;
const EVAL_BATCH = 64;

export interface OnlineEvalSplit {
  /** 'val-folder': a sibling val/ of the train/ folder; 'held-out': a seeded share of the training folder's labelled images. */
  kind: 'val-folder' | 'held-out';
  bank: LabelledImage[];
  queries: LabelledImage[];
  /** For people: where the queries come from. */
  description: string;
}

/** What one evaluation adds to the metrics row of the step it measured (see MetricRow). */
export interface OnlineEvalResult {
  knnStep: number;
  knnTop1: number;
  knnTop5: number | null;
  knnSeconds: number;
  attnObjectShare?: number;
  attnObjectShareHeads?: number[];
  attnObjectBaseline?: number;
}

/**
 * Where the k-NN queries come from: a `val` folder beside a training folder named `train` (same classes), else a
 * held-out share (`knnHoldOut`) of the training folder's labelled images, which still take part in the
 * self-supervised training (their labels are never used) but are left out of the k-NN memory bank. Null (with the
 * reason) when the dataset has no labels or k-NN is off.
 */
export async function resolveOnlineSplit(dataset: string, images: ImageEntry[], config: StudioConfig): Promise<OnlineEvalSplit | { none: string }> {
  if (config.knnEvery <= 0) return { none: 'k-NN during training is off (knnEvery 0)' };
  const labelled = images.filter((e) => e.label !== null).map((e) => ({ path: e.path, label: e.label! }));
  const classes = new Set(labelled.map((x) => x.label));
  if (classes.size < 2) return { none: `${dataset} has no class subfolders (or only one), so its images have no labels for k-NN` };
  const sibling = join(dirname(dataset), 'val');
  if (basename(dataset) === 'train' && existsSync(sibling) && statSync(sibling).isDirectory()) {
    try {
      const val = await listLabelled(sibling);
      const shared = val.images.filter((x) => classes.has(x.label));
      if (shared.length) {
        return { kind: 'val-folder', bank: labelled, queries: shared, description: `${shared.length} images of ${sibling}` };
      }
    } catch {
      // An unlabelled val folder: fall back to a held-out share.
    }
  }
  if (!(config.knnHoldOut > 0)) return { none: `no val folder beside ${dataset} and knnHoldOut is 0` };
  const split = holdOutSplit(labelled, config.knnHoldOut, config.seed);
  if (!split.val.length || !split.train.length) return { none: `${dataset} has too few labelled images to hold out ${config.knnHoldOut}` };
  return {
    kind: 'held-out',
    bank: split.train,
    queries: split.val,
    description: `${split.val.length} held-out images (knnHoldOut ${config.knnHoldOut}) of ${dataset}`,
  };
}

function subset<T>(xs: T[], max: number, seed: number): T[] {
  if (xs.length <= max) return xs;
  const rng = new SeededRng(seed, 0x6b6e6e);
  const idx = xs.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, max).sort((a, b) => a - b).map((i) => xs[i]!);
}

/** The decoded eval images of a split, held in memory, evaluated against teacher weights on demand. */
export class OnlineEvaluator {
  private constructor(
    readonly split: OnlineEvalSplit,
    private readonly config: StudioConfig,
    private readonly bank: EvalImage[],
    private readonly bankLabels: Int32Array,
    private readonly queries: EvalImage[],
    private readonly queryLabels: Int32Array,
    private readonly classes: number,
    /** Per query with a mask: its index and per-patch object coverage. */
    private readonly masked: { index: number; coverage: Float32Array }[],
    readonly masksFolder: string | null,
  ) {}

  static async create(split: OnlineEvalSplit, config: StudioConfig): Promise<OnlineEvaluator> {
    const pre = evalCenterCrop(config.globalSize);
    const bankList = subset(split.bank, ONLINE_KNN_MAX_BANK, config.seed);
    const queryList = subset(split.queries, ONLINE_KNN_MAX_QUERIES, config.seed + 1);
    const classes = [...new Set([...bankList, ...queryList].map((x) => x.label))].sort();
    const index = new Map(classes.map((c, i) => [c, i]));
    const load = async (list: LabelledImage[]) => {
      const out: EvalImage[] = [];
      for (let i = 0; i < list.length; i += 16) out.push(...(await Promise.all(list.slice(i, i + 16).map((x) => loadEvalImage(x.path, pre, config.maxPixels)))));
      return out;
    };
    const bank = await load(bankList);
    const queries = await load(queryList);
    const masked: { index: number; coverage: Float32Array }[] = [];
    let masksFolder: string | null = null;
    for (let i = 0; i < queryList.length; i++) {
      const m = maskPathFor(queryList[i]!.path);
      if (!m) continue;
      masksFolder ??= masksFolderOf(m);
      masked.push({ index: i, coverage: await patchCoverage(m, pre, config.patchSize) });
    }
    return new OnlineEvaluator(
      { ...split, bank: bankList, queries: queryList },
      config,
      bank,
      Int32Array.from(bankList, (x) => index.get(x.label)!),
      queries,
      Int32Array.from(queryList, (x) => index.get(x.label)!),
      classes.length,
      masked,
      masksFolder,
    );
  }

  get hasMasks(): boolean {
    return this.masked.length > 0;
  }

  /** k-NN (k 20, T 0.07, eval_knn.py) of the queries on the bank with these teacher weights; attention share where masks exist. */
  async evaluate(teacher: NamedTensors, step: number): Promise<OnlineEvalResult> {
    const t0 = performance.now();
    const model = modelFromTensors(teacher, this.config, `teacher at step ${step}`);
    const runner = new BackboneRunner(model.vit, model.backbone, model.label);
    try {
      const dim = model.vit.embedDim;
      const embed = async (ims: EvalImage[], attn: boolean) => {
        const cls = new Float32Array(ims.length * dim);
        const att: Float32Array[] = [];
        for (let i = 0; i < ims.length; i += EVAL_BATCH) {
          const o = await runner.embed(ims.slice(i, i + EVAL_BATCH), attn);
          cls.set(o.cls, i * dim);
          if (o.attention) att.push(o.attention);
        }
        return { cls, att };
      };
      const b = await embed(this.bank, false);
      const q = await embed(this.queries, this.hasMasks);
      const r = knnClassify(
        l2NormalizeRows({ rows: this.bank.length, dim, data: b.cls }),
        this.bankLabels,
        l2NormalizeRows({ rows: this.queries.length, dim, data: q.cls }),
        this.queryLabels,
        this.classes,
        { k: DINO_KNN_K, temperature: DINO_KNN_TEMPERATURE },
      );
      const out: OnlineEvalResult = { knnStep: step, knnTop1: r.top1, knnTop5: r.top5, knnSeconds: 0 };
      if (this.hasMasks) {
        const share = this.attentionOf(q.att, model.vit.heads);
        out.attnObjectShare = share.mean;
        out.attnObjectShareHeads = share.perHead;
        out.attnObjectBaseline = share.objectShare;
      }
      out.knnSeconds = (performance.now() - t0) / 1000;
      return out;
    } finally {
      runner.dispose();
    }
  }

  private attentionOf(chunks: Float32Array[], heads: number): AttentionShare {
    const all = new Float32Array(chunks.reduce((s, c) => s + c.length, 0));
    let o = 0;
    for (const c of chunks) {
      all.set(c, o);
      o += c.length;
    }
    const patches = all.length / (this.queries.length * heads);
    const picked = new Float32Array(this.masked.length * heads * patches);
    this.masked.forEach((m, j) => picked.set(all.subarray(m.index * heads * patches, (m.index + 1) * heads * patches), j * heads * patches));
    return attentionShare(
      picked,
      heads,
      patches,
      this.masked.map((m) => m.coverage),
    );
  }
}

/** The evaluator a training run uses, or null (with a log line saying why there is none). */
export async function createOnlineEval(
  dataset: string,
  images: ImageEntry[],
  config: StudioConfig,
  log: (level: 'info' | 'warn', message: string) => void,
): Promise<OnlineEvaluator | null> {
  const split = await resolveOnlineSplit(dataset, images, config);
  if ('none' in split) {
    log('info', `no k-NN during training: ${split.none}`);
    return null;
  }
  try {
    const ev = await OnlineEvaluator.create(split, config);
    log(
      'info',
      `k-NN during training every ${config.knnEvery} steps: ${ev.split.queries.length} queries (${split.description}) against ${ev.split.bank.length} training images` +
        (ev.masksFolder ? `; attention share on the objects from the masks in ${ev.masksFolder}` : ''),
    );
    return ev;
  } catch (e) {
    log('warn', `no k-NN during training: could not read its images (${e instanceof Error ? e.message : String(e)}); training goes on without it`);
    return null;
  }
}
