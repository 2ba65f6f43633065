// The evaluation jobs (k-NN with its history and baseline, nearest neighbours, attention maps) on already-checked inputs: what the eval worker runs.
import { join } from 'node:path';
import type { ChannelRequest, ChannelResponse } from '../../shared/ipc-contract';
import { ensureAnyBackend } from '../tf/active-backend';
import { ATTENTION_IMAGE_SIZE, attentionOnObjectAtStep0, computeAttention } from './attention-maps';
import { BackboneRunner } from './backbone-runner';
import { evalPreprocess, modelFromRun, modelFromWeights, type EvalModel } from './eval-model';
import type { FeatureCache } from './feature-cache';
import { modelFromInitialWeights } from './initial-model';
import { evaluateKnn, neighboursOf } from './knn-eval';
import { keepEvaluation, knnBaseline } from './knn-history';
import { listGallery, listLabelled } from './labelled-images';

/** The model a request names (a weights path already confined to the opened folders and made absolute). */
export type EvalModelSource = ChannelRequest<'eval:knn'>['source'];

/** One evaluation, its folders and images already confined to what the person opened; runs resolve under `runsDir`. */
export type EvalJob =
  | { kind: 'knn'; runsDir: string; source: EvalModelSource; train: string; val: string; k: number }
  | { kind: 'neighbours'; runsDir: string; source: EvalModelSource; gallery: string; image: string; k: number }
  | { kind: 'attention'; runsDir: string; source: EvalModelSource; image: string; threshold: number };

export interface EvalJobResults {
  knn: ChannelResponse<'eval:knn'>;
  neighbours: ChannelResponse<'eval:neighbours'>;
  attention: ChannelResponse<'eval:attention'>;
}

/** Progress of a job for the tray: what it is doing, items done, total. */
export type EvalProgress = (label: string, done: number, total: number) => void;

async function loadModel(source: EvalModelSource, runsDir: string): Promise<EvalModel> {
  await ensureAnyBackend();
  if ('weights' in source) return modelFromWeights(source.weights);
  if ('initial' in source) return modelFromInitialWeights(join(runsDir, source.runId));
  return modelFromRun(join(runsDir, source.runId), source.checkpoint);
}

/** Run one job; `cache` keeps features between jobs (a gallery query after a k-NN run costs one forward pass). */
export async function runEvalJob<J extends EvalJob>(job: J, cache: FeatureCache, progress: EvalProgress): Promise<EvalJobResults[J['kind']]> {
  return (await runAny(job, cache, progress)) as EvalJobResults[J['kind']];
}

async function runAny(job: EvalJob, cache: FeatureCache, progress: EvalProgress): Promise<EvalJobResults[EvalJob['kind']]> {
  if (job.kind === 'knn') {
    const model = await loadModel(job.source, job.runsDir);
    const trainList = await listLabelled(job.train);
    const valList = await listLabelled(job.val);
    const knn = (m: EvalModel, what: string) =>
      evaluateKnn(m, trainList.images, valList.images, {
        k: job.k,
        preprocess: evalPreprocess(m),
        cache,
        onProgress: (stage, done, total) => progress(`k-NN${what}: extracting ${stage} features`, done, total),
      });
    const r = await knn(model, '');
    const result = { top1: r.top1, top5: r.top5, k: r.k, train: r.train, val: r.val, perClass: r.perClass, checkpoint: model.checkpoint ?? model.label };
    if ('weights' in job.source) return { ...result, step: null, baseline: null };
    // A run's evaluation is kept in its folder, with the step-0 result of the same protocol beside it.
    const runDir = join(job.runsDir, job.source.runId);
    const protocol = { trainDir: trainList.root, valDir: valList.root, k: job.k };
    const kept = await keepEvaluation(runDir, model, r, protocol);
    const baseline = await knnBaseline(runDir, kept, protocol, (m) => knn(m, ' baseline (step 0)'), (run) => loadModel(run, job.runsDir));
    return { ...result, step: kept.step, baseline };
  }
  if (job.kind === 'neighbours') {
    const model = await loadModel(job.source, job.runsDir);
    const gallery = await listGallery(job.gallery);
    const neighbours = await neighboursOf(model, gallery, job.image, job.k, {
      preprocess: evalPreprocess(model),
      cache,
      onProgress: (done, total) => progress('Nearest neighbours: extracting gallery features', done, total),
    });
    return { query: job.image, neighbours };
  }
  const model = await loadModel(job.source, job.runsDir);
  const runner = new BackboneRunner(model.vit, model.backbone, model.label);
  try {
    const pre = { kind: 'short-side', size: ATTENTION_IMAGE_SIZE, patch: model.vit.patchSize } as const;
    const a = await computeAttention(runner, job.image, pre, job.threshold);
    return { ...a.result, onObjectAtStep0: await attentionOnObjectAtStep0(model, job.image, pre) };
  } finally {
    runner.dispose();
  }
}

