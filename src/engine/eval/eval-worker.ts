// Worker thread that runs the engine's evaluations (k-NN, neighbours, attention) off its main thread, keeping the feature cache between jobs.
import { parentPort } from 'node:worker_threads';
import type { ErrorCode } from '../../shared/ipc-contract';
import { asStudioFailure } from './eval-failure';
import { runEvalJob, type EvalJob } from './eval-jobs';
import { FeatureCache } from './feature-cache';

/** Engine -> worker: one job at a time (the engine queues them). */
export interface EvalWorkerRequest {
  id: number;
  job: EvalJob;
}

/** Worker -> engine: progress of a job, then exactly one of done / failed. */
export type EvalWorkerReply =
  | { id: number; type: 'progress'; label: string; done: number; total: number }
  | { id: number; type: 'done'; value: unknown }
  | { id: number; type: 'failed'; code: ErrorCode; message: string };

const port = parentPort;
if (!port) throw new Error('eval-worker must be started as a worker thread by the engine (eval-thread.ts), not run directly');
const cache = new FeatureCache();

port.on('message', async ({ id, job }: EvalWorkerRequest) => {
  const post = (m: EvalWorkerReply) => port.postMessage(m);
  try {
    const value = await runEvalJob(job, cache, (label, done, total) => post({ id, type: 'progress', label, done, total }));
    post({ id, type: 'done', value });
  } catch (e) {
    const f = asStudioFailure(e);
    post({ id, type: 'failed', code: f.code, message: f.message });
  }
});
