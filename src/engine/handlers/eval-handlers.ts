// Engine handlers for evaluation and export: k-NN, nearest-neighbour galleries, attention maps, run export.
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChannelRequest } from '../../shared/ipc-contract';
import { requireOpened } from '../roots/require-opened';
import { StudioFailure } from '../studio-failure';
import { type HandlerContext, type PartialHandlerTable } from './handler-types';
import { ensureAnyBackend } from '../tf/active-backend';
import { EvalSourceError, evalPreprocess, modelFromRun, modelFromWeights, type EvalModel } from '../eval/eval-model';
import { evaluateKnn, neighboursOf } from '../eval/knn-eval';
import { FeatureCache } from '../eval/feature-cache';
import { listGallery, listLabelled } from '../eval/labelled-images';
import { ATTENTION_IMAGE_SIZE, attentionOnObjectAtStep0, computeAttention } from '../eval/attention-maps';
import { BackboneRunner } from '../eval/backbone-runner';
import { WeightsImportError } from '../io/weights-import';
import { RunExportError, exportRun } from '../io/run-export';
import { modelFromInitialWeights } from '../eval/initial-model';
import { keepEvaluation, knnBaseline } from '../eval/knn-history';
import { readEvaluations } from '../eval/eval-history';

type Source = ChannelRequest<'eval:knn'>['source'];

/** Features survive between requests, so a gallery query after a k-NN run costs one forward pass. */
const cache = new FeatureCache();
/** One evaluation at a time: they share the backend and the two cores. */
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(job: () => Promise<T>): Promise<T> {
  const run = queue.then(job, job);
  queue = run.catch(() => undefined);
  return run;
}

/** Turn the eval modules' errors into failures for a person. */
async function asFailure<T>(job: () => Promise<T>): Promise<T> {
  try {
    return await job();
  } catch (e) {
    if (e instanceof StudioFailure) throw e;
    if (e instanceof EvalSourceError || e instanceof RunExportError) throw new StudioFailure(e.kind, e.message);
    if (e instanceof WeightsImportError) throw new StudioFailure('bad_input', e.message);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new StudioFailure('not_found', `${err.message}; check the path`);
    if (err.code === 'EACCES' || err.code === 'EPERM') throw new StudioFailure('forbidden', `${err.message}; check the permissions`);
    throw new StudioFailure('bad_input', err.message);
  }
}

async function loadModel(source: Source, ctx: HandlerContext): Promise<EvalModel> {
  await ensureAnyBackend();
  if ('weights' in source) return modelFromWeights(requireOpened(ctx, source.weights, 'the weights file'));
  if ('initial' in source) return modelFromInitialWeights(join(ctx.runsDir, source.runId));
  return modelFromRun(join(ctx.runsDir, source.runId), source.checkpoint);
}

async function requireDir(path: string, what: string, ctx: HandlerContext): Promise<string> {
  const abs = requireOpened(ctx, path, `the ${what} folder`);
  let st;
  try {
    st = await stat(abs);
  } catch {
    throw new StudioFailure('not_found', `${what} folder ${abs} does not exist; pick an existing folder`);
  }
  if (!st.isDirectory()) throw new StudioFailure('bad_input', `${what} ${abs} is a file, not a folder`);
  return abs;
}

function requireImage(path: string, ctx: HandlerContext): string {
  return requireOpened(ctx, path, 'the image');
}

export const evalHandlers: PartialHandlerTable = {
  'eval:knn': (req, ctx) =>
    serial(() =>
      asFailure(async () => {
        const train = await requireDir(req.train, 'train', ctx);
        const val = await requireDir(req.val, 'val', ctx);
        const model = await loadModel(req.source, ctx);
        const jobId = randomUUID();
        const trainList = await listLabelled(train);
        const valList = await listLabelled(val);
        const knn = (m: EvalModel, what: string) =>
          evaluateKnn(m, trainList.images, valList.images, {
            k: req.k,
            preprocess: evalPreprocess(m),
            cache,
            onProgress: (stage, done, total) => ctx.emit('progress', { jobId, label: `k-NN${what}: extracting ${stage} features`, done, total }),
          });
        const r = await knn(model, '');
        const result = { top1: r.top1, top5: r.top5, k: r.k, train: r.train, val: r.val, perClass: r.perClass, checkpoint: model.checkpoint ?? model.label };
        if ('weights' in req.source) return { ...result, step: null, baseline: null };
        // A run's evaluation is kept in its folder, with the step-0 result of the same protocol beside it.
        const runDir = join(ctx.runsDir, req.source.runId);
        const protocol = { trainDir: trainList.root, valDir: valList.root, k: req.k };
        const kept = await keepEvaluation(runDir, model, r, protocol);
        const baseline = await knnBaseline(runDir, kept, protocol, (m) => knn(m, ' baseline (step 0)'), (run) => loadModel(run, ctx));
        return { ...result, step: kept.step, baseline };
      }),
    ),

  'eval:neighbours': (req, ctx) =>
    serial(() =>
      asFailure(async () => {
        const train = await requireDir(req.train, 'gallery', ctx);
        const image = requireImage(req.image, ctx);
        const model = await loadModel(req.source, ctx);
        const gallery = await listGallery(train);
        const jobId = randomUUID();
        const neighbours = await neighboursOf(model, gallery, image, req.k, {
          preprocess: evalPreprocess(model),
          cache,
          onProgress: (done, total) => ctx.emit('progress', { jobId, label: 'Nearest neighbours: extracting gallery features', done, total }),
        });
        return { query: image, neighbours };
      }),
    ),

  'eval:history': (req, ctx) =>
    asFailure(async () => {
      const runDir = join(ctx.runsDir, req.runId);
      try {
        await stat(join(runDir, 'config.json'));
      } catch {
        throw new StudioFailure('not_found', `run ${req.runId} does not exist in ${ctx.runsDir}; refresh the Runs screen`);
      }
      return { runId: req.runId, records: await readEvaluations(runDir) };
    }),

  'eval:attention': (req, ctx) =>
    serial(() =>
      asFailure(async () => {
        const image = requireImage(req.image, ctx);
        const model = await loadModel(req.source, ctx);
        const runner = new BackboneRunner(model.vit, model.backbone, model.label);
        try {
          const pre = { kind: 'short-side', size: ATTENTION_IMAGE_SIZE, patch: model.vit.patchSize } as const;
          const a = await computeAttention(runner, image, pre, req.threshold);
          return { ...a.result, onObjectAtStep0: await attentionOnObjectAtStep0(model, image, pre) };
        } finally {
          runner.dispose();
        }
      }),
    ),

  // Never a path from the page: the export goes into the run's own exports/ folder.
  'export:run': (req, ctx) =>
    asFailure(() =>
      exportRun(join(ctx.runsDir, req.runId), {
        format: req.format,
        checkpoint: req.checkpoint,
        network: req.network,
        includeHead: req.includeHead,
        replace: req.replace,
      }),
    ),
};
