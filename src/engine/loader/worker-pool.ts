// A pool of loader worker threads, each building whole batches; runs from the built .js or, in tests/dev, the .ts via tsx.
import { Worker } from 'node:worker_threads';
import type { BatchJob, ProduceSettings, ProducedBatch } from './produce-batch';
import type { WorkerReply, WorkerRequest } from './loader-worker';
import { startWorker } from '../util/start-worker';


interface Pending {
  resolve: (b: ProducedBatch) => void;
  reject: (e: Error) => void;
}

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { req: WorkerRequest; pending: Pending }[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly busy = new Map<Worker, number>();
  private nextId = 1;
  private closed = false;
  private fatal: Error | null = null;

  constructor(size: number, settings: ProduceSettings) {
    for (let k = 0; k < size; k++) {
      const w = startWorker('loader-worker', import.meta.url, settings);
      w.on('message', (reply: WorkerReply) => this.onReply(w, reply));
      w.on('error', (e) => this.onFatal(w, e));
      w.on('exit', (code) => {
        if (!this.closed) this.onFatal(w, new Error(`loader worker exited with code ${code}`));
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Build `job` on the next free worker; `spare` buffers (recycled batches) are transferred to it for reuse. */
  run(job: BatchJob, spare: ArrayBuffer[] = []): Promise<ProducedBatch> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closed) return Promise.reject(new Error('loader pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { id: this.nextId++, job, spare }, pending: { resolve, reject } });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.shift()!;
      const { req, pending } = this.queue.shift()!;
      this.pending.set(req.id, pending);
      this.busy.set(w, req.id);
      w.postMessage(req, req.spare ?? []);
    }
  }

  private onReply(w: Worker, reply: WorkerReply): void {
    const p = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    this.busy.delete(w);
    this.idle.push(w);
    if (p) {
      if (reply.ok) p.resolve({ groups: reply.groups, failures: reply.failures });
      else p.reject(new Error(reply.message));
    }
    this.pump();
  }

  private onFatal(w: Worker, e: Error): void {
    this.fatal ??= new Error(`a loader worker failed: ${e.message}`);
    const id = this.busy.get(w);
    if (id !== undefined) {
      this.pending.get(id)?.reject(this.fatal);
      this.pending.delete(id);
    }
    for (const q of this.queue.splice(0)) q.pending.reject(this.fatal);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.pending.reject(new Error('loader pool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const p of this.pending.values()) p.reject(new Error('loader pool closed'));
    this.pending.clear();
  }
}
