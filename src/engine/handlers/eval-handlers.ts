// Engine handlers for evaluation and export: k-NN, nearest-neighbour galleries, attention maps (checked here, run in the eval worker), history, run export.
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChannelRequest } from '../../shared/ipc-contract';
import { requireOpened } from '../roots/require-opened';
import { StudioFailure } from '../studio-failure';
import { type HandlerContext, type PartialHandlerTable } from './handler-types';
import { asStudioFailure } from '../eval/eval-failure';
import type { EvalModelSource } from '../eval/eval-jobs';
import { EvalThread } from '../eval/eval-thread';
import { readEvaluations } from '../eval/eval-history';
import { exportRun } from '../io/run-export';

type Source = ChannelRequest<'eval:knn'>['source'];

/** Evaluations run in their own thread (one at a time; its feature cache survives between requests), so previews and images stay responsive. */
export const evalThread = new EvalThread();

/** Turn the eval and export modules' errors into failures for a person. */
async function asFailure<T>(job: () => Promise<T>): Promise<T> {
  try {
    return await job();
  } catch (e) {
    throw asStudioFailure(e);
  }
}

/** The model a request names, as the eval worker loads it (a weights file only from a folder the person opened). */
function modelSource(source: Source, ctx: HandlerContext): EvalModelSource {
  if ('weights' in source) return { weights: requireOpened(ctx, source.weights, 'the weights file') };
  return source;
}

/** Progress events of one job for the tray. */
function progressOf(ctx: HandlerContext): (label: string, done: number, total: number) => void {
  const jobId = randomUUID();
  return (label, done, total) => ctx.emit('progress', { jobId, label, done, total });
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
    asFailure(async () => {
      const train = await requireDir(req.train, 'train', ctx);
      const val = await requireDir(req.val, 'val', ctx);
      const source = modelSource(req.source, ctx);
      return evalThread.run({ kind: 'knn', runsDir: ctx.runsDir, source, train, val, k: req.k }, progressOf(ctx));
    }),

  'eval:neighbours': (req, ctx) =>
    asFailure(async () => {
      const gallery = await requireDir(req.train, 'gallery', ctx);
      const image = requireImage(req.image, ctx);
      const source = modelSource(req.source, ctx);
      return evalThread.run({ kind: 'neighbours', runsDir: ctx.runsDir, source, gallery, image, k: req.k }, progressOf(ctx));
    }),

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
    asFailure(async () => {
      const image = requireImage(req.image, ctx);
      const source = modelSource(req.source, ctx);
      return evalThread.run({ kind: 'attention', runsDir: ctx.runsDir, source, image, threshold: req.threshold }, progressOf(ctx));
    }),

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
