// Data-parallel DINO step over worker threads: each replica computes gradients for its share of the batch, the main
// thread sums them, applies the one update (clip, AdamW, EMA, center) and sends the new weights back to the replicas.
import type { Worker } from 'node:worker_threads';
import type { StudioConfig } from '../../shared/config-schema';
import { StudioFailure } from '../studio-failure';
import type { Batch } from '../loader/batch-types';
import type { AttentionMode } from '../model/attention';
import type { ImageBatch, VitOutput } from '../model/vit';
import type { BackendPreference } from '../backends/backend-descriptor';
import * as tf from '../tf/tfjs';
import { createDinoSystem, type DinoSystem } from './dino-system';
import type { DinoWorkerData, DinoWorkerReply, DinoWorkerRequest, HostPartials } from './dino-worker';
import { splitBatch } from './split-batch';
import { startWorker } from '../util/start-worker';
import type { DinoState, NamedTensors, StepSchedule, StepStats } from './step-types';


type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

class Replica {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: DinoWorkerReply) => void; reject: (e: Error) => void }>();
  constructor(readonly worker: Worker) {
    worker.on('message', (r: DinoWorkerReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      p.resolve(r);
    });
    worker.on('error', (e) => this.failAll(e));
    worker.on('exit', (code) => this.failAll(new Error(`a DINO worker thread exited (code ${code})`)));
  }
  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
  async call(req: WithoutId<DinoWorkerRequest>, transfer: ArrayBuffer[] = []): Promise<DinoWorkerReply> {
    const id = this.nextId++;
    const reply = new Promise<DinoWorkerReply>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.postMessage({ ...req, id }, transfer);
    const r = await reply;
    if (!r.ok) throw new StudioFailure(r.code === 'bad_input' ? 'bad_input' : 'internal', `DINO worker thread: ${r.error}`);
    return r;
  }
}

export interface ParallelOptions {
  seed?: number;
  /** Start from these parameters (as DinoSystemOptions.initial); the replicas receive them from the main system. */
  initial?: NamedTensors;
  /** Threads computing gradients, the main thread included (2 on a 2-core machine). */
  threads: number;
  /** Backend the worker replicas initialise (the one the main thread uses). */
  backend: BackendPreference;
  /** Attention layout of every replica (default: the backend's). */
  attention?: AttentionMode;
}

/** Same interface and the same update as DinoSystem.step, with the batch's images shared among threads. */
export class ParallelDinoSystem {
  private constructor(
    readonly main: DinoSystem,
    private readonly replicas: Replica[],
  ) {}

  static async create(config: StudioConfig, opts: ParallelOptions): Promise<ParallelDinoSystem> {
    const seed = opts.seed ?? config.seed;
    const main = createDinoSystem(config, { seed, initial: opts.initial, attention: opts.attention });
    const replicas: Replica[] = [];
    for (let i = 1; i < Math.max(1, opts.threads); i++) {
      replicas.push(new Replica(startWorker('dino-worker', import.meta.url, { config, seed, backend: opts.backend, attention: main.vit.attention! } satisfies DinoWorkerData)));
    }
    const sys = new ParallelDinoSystem(main, replicas);
    await sys.pushReplicas();
    return sys;
  }

  get threads(): number {
    return 1 + this.replicas.length;
  }

  private async pushReplicas(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.call({ kind: 'replica', state: this.main.replicaState() })));
  }

  features(images: ImageBatch, opts: { network?: 'teacher' | 'student'; attention?: boolean } = {}): VitOutput {
    return this.main.features(images, opts);
  }

  async step(micro: Batch | Batch[], sched: StepSchedule): Promise<StepStats> {
    const batches = Array.isArray(micro) ? micro : [micro];
    const totalImages = batches.reduce((a, b) => a + b.batchSize, 0);
    const n = this.threads;
    const shares: Batch[][] = Array.from({ length: n }, () => []);
    for (const b of batches) {
      if (n > 1 && b.batchSize % n === 0) splitBatch(b, n).forEach((part, i) => shares[i]!.push(part));
      else shares[0]!.push(b);
    }
    const remote = this.replicas.map((r, i) =>
      shares[i + 1]!.length ? r.call({ kind: 'accumulate', batches: shares[i + 1]!, sched, totalImages }) : null,
    );
    const p = this.main.accumulate(shares[0]!, sched, totalImages);
    for (const pending of remote) {
      if (!pending) continue;
      const part = (await pending) as { partials: HostPartials };
      const h = part.partials;
      const merged = tf.tidy(() => {
        const grads: Record<string, tf.Tensor> = {};
        for (const [k, g] of Object.entries(p.grads)) grads[k] = tf.add(g, tf.tensor(h.grads[k]!, g.shape));
        return {
          grads,
          loss: tf.add(p.loss, h.loss),
          entropy: tf.add(p.entropy, h.entropy),
          probSum: tf.add(p.probSum, tf.tensor(h.probSum, p.probSum.shape)),
          teacherSum: tf.add(p.teacherSum, tf.tensor(h.teacherSum, p.teacherSum.shape)),
        };
      });
      tf.dispose([...Object.values(p.grads), p.loss, p.entropy, p.probSum, p.teacherSum]);
      Object.assign(p, merged);
    }
    const stats = await this.main.finish(p, sched, totalImages);
    await this.pushReplicas();
    return stats;
  }

  readState(): Promise<DinoState> {
    return this.main.readState();
  }

  getState(): DinoState {
    return this.main.getState();
  }

  setState(s: DinoState): void {
    this.main.setState(s);
    // Worker messages are handled in order, so the next step's gradients use these weights.
    this.pushReplicas().catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.call({ kind: 'close' }).catch(() => undefined)));
    await Promise.all(this.replicas.map((r) => r.worker.terminate()));
  }

  /** End the replica threads, then free the main system. */
  async dispose(): Promise<void> {
    await this.close();
    this.main.dispose();
  }
}
