// The engine's side of the eval worker: starts it on the first evaluation, sends one job at a time, relays progress, rethrows failures, replaces a thread that died.
import type { Worker } from 'node:worker_threads';
import { StudioFailure } from '../studio-failure';
import { startWorker } from '../util/start-worker';
import type { EvalJob, EvalJobResults, EvalProgress } from './eval-jobs';
import type { EvalWorkerReply, EvalWorkerRequest } from './eval-worker';

interface Pending {
  job: EvalJob['kind'];
  progress: EvalProgress;
  resolve: (value: unknown) => void;
  reject: (e: Error) => void;
}

/** A started evaluation thread and the jobs it owes an answer (a thread's failure fails only its own jobs). */
interface Serving {
  worker: Worker;
  pending: Map<number, Pending>;
}

const JOB_NAMES: Record<EvalJob['kind'], string> = { knn: 'k-NN evaluation', neighbours: 'nearest-neighbour search', attention: 'attention map' };

/**
 * One long-lived evaluation thread (its feature cache survives between requests). Jobs run one at a time, in the
 * order asked: they share the backend and the cores. A thread that dies (a crash, out of memory, killed) fails the
 * job it was running with a message saying so; the engine stays up and the next job starts a fresh thread.
 */
export class EvalThread {
  private serving: Serving | null = null;
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

  /** The thread serving now: null before the first job and after one died (shutdown ends it with close()). */
  get worker(): Worker | null {
    return this.serving?.worker ?? null;
  }

  private thread(): Serving {
    if (this.serving) return this.serving;
    const w = startWorker('eval-worker', import.meta.url, null);
    const s: Serving = { worker: w, pending: new Map() };
    w.unref(); // an idle evaluation thread never keeps the engine (or a test) alive; send() holds it while a job runs
    w.on('message', (m: EvalWorkerReply) => {
      const p = s.pending.get(m.id);
      if (!p) return;
      if (m.type === 'progress') p.progress(m.label, m.done, m.total);
      else {
        s.pending.delete(m.id);
        if (s.pending.size === 0) w.unref();
        if (m.type === 'done') p.resolve(m.value);
        else p.reject(new StudioFailure(m.code, m.message));
      }
    });
    // 'error' (an uncaught exception, out of memory) is followed by 'exit'; whichever comes first fails the thread's jobs.
    const lost = (why: string) => {
      if (this.serving === s) this.serving = null;
      for (const p of s.pending.values()) {
        p.reject(
          new StudioFailure(
            'internal',
            `the evaluation thread stopped during the ${JOB_NAMES[p.job]}, ${why}. ` +
              'Run it again: a fresh evaluation thread starts (if it keeps stopping, evaluate fewer or smaller images).',
          ),
        );
      }
      s.pending.clear();
    };
    w.on('error', (e) => lost(`it crashed: ${e.message}`));
    w.on('exit', (code) => lost(`it exited with code ${code}`));
    this.serving = s;
    return s;
  }

  private send(job: EvalJob, progress: EvalProgress): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const s = this.thread();
      s.pending.set(id, { job: job.kind, progress, resolve, reject });
      s.worker.ref();
      s.worker.postMessage({ id, job } satisfies EvalWorkerRequest);
    });
  }

  /** End the thread (its cache goes with it). */
  async close(): Promise<void> {
    const s = this.serving;
    this.serving = null;
    if (s) await s.worker.terminate();
  }
}
