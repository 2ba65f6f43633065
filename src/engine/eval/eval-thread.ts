// The engine's side of the eval worker: starts it on the first evaluation, sends one job at a time, relays progress, rethrows failures.
import type { Worker } from 'node:worker_threads';
import { StudioFailure } from '../studio-failure';
import { startWorker } from '../util/start-worker';
import type { EvalJob, EvalJobResults, EvalProgress } from './eval-jobs';
import type { EvalWorkerReply, EvalWorkerRequest } from './eval-worker';

interface Pending {
  progress: EvalProgress;
  resolve: (value: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * One long-lived evaluation thread (its feature cache survives between requests). Jobs run one at a time, in the
 * order asked: they share the backend and the cores. A thread that crashes fails its job and is replaced on the next.
 */
export class EvalThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  run<J extends EvalJob>(job: J, progress: EvalProgress): Promise<EvalJobResults[J['kind']]> {
    const next = this.queue.then(
      () => this.send(job, progress),
      () => this.send(job, progress),
    );
    this.queue = next.catch(() => undefined);
    return next as Promise<EvalJobResults[J['kind']]>;
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker('eval-worker', import.meta.url, null);
    w.unref(); // an idle evaluation thread never keeps the engine (or a test) alive; send() holds it while a job runs
    w.on('message', (m: EvalWorkerReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'progress') p.progress(m.label, m.done, m.total);
      else {
        this.pending.delete(m.id);
        if (this.pending.size === 0) w.unref();
        if (m.type === 'done') p.resolve(m.value);
        else p.reject(new StudioFailure(m.code, m.message));
      }
    });
    const lost = (why: string) => {
      if (this.worker === w) this.worker = null;
      for (const p of this.pending.values()) p.reject(new StudioFailure('internal', `the evaluation thread ${why}; try the evaluation again`));
      this.pending.clear();
    };
    w.on('error', (e) => lost(`crashed: ${e.message}`));
    w.on('exit', (code) => lost(`exited (code ${code})`));
    this.worker = w;
    return w;
  }

  private send(job: EvalJob, progress: EvalProgress): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { progress, resolve, reject });
      const w = this.thread();
      w.ref();
      w.postMessage({ id, job } satisfies EvalWorkerRequest);
    });
  }

  /** End the thread (its cache goes with it). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
