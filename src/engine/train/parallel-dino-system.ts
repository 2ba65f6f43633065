// Data-parallel DINO step over worker threads: trainStep on the main thread with its gradients summed from every replica's
// share of the batch (the one update applied here), then the new weights sent back to the replicas.
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
import { accumulateGradients, addPartials, type Partials } from './gradient-accumulator';
import { splitBatch } from './split-batch';
import { startWorker } from '../util/start-worker';
import type { DinoState, NamedTensors, StepSchedule, StepStats } from './step-types';
import { trainStep } from './train-step';


type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** A replica's host partials as tensors shaped like `like`'s. */
function partialsFromHost(h: HostPartials, like: Partials): Partials {
  return tf.tidy(() => {
    const grads: Record<string, tf.Tensor> = {};
    for (const [k, g] of Object.entries(like.grads)) grads[k] = tf.tensor(h.grads[k]!, g.shape);
    return {
      grads,
      loss: tf.scalar(h.loss),
      entropy: tf.scalar(h.entropy),
      probSum: tf.tensor(h.probSum, like.probSum.shape),
      teacherSum: tf.tensor(h.teacherSum, like.teacherSum.shape),
    };
  });
}

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

  /** One optimizer update: trainStep on the main system, its gradients shared among the threads; then the replicas get the new weights. */
  async step(micro: Batch | Batch[], sched: StepSchedule): Promise<StepStats> {
    const stats = await trainStep(this.main, micro, sched, (batches, s, totalImages) => this.sharedGradients(batches, s, totalImages));
    await this.pushReplicas();
    return stats;
  }

  /** accumulateGradients over the step's images, each thread on an equal share of every batch that divides evenly (the rest on this thread), summed here. */
  private async sharedGradients(batches: Batch[], sched: StepSchedule, totalImages: number): Promise<Partials> {
    const n = this.threads;
    const shares: Batch[][] = Array.from({ length: n }, () => []);
    for (const b of batches) {
      if (n > 1 && b.batchSize % n === 0) splitBatch(b, n).forEach((part, i) => shares[i]!.push(part));
      else shares[0]!.push(b);
    }
    const remote = this.replicas.map((r, i) =>
      shares[i + 1]!.length ? r.call({ kind: 'accumulate', batches: shares[i + 1]!, sched, totalImages }) : null,
    );
    let sum = accumulateGradients(this.main, shares[0]!, sched, totalImages);
    for (const pending of remote) {
      if (!pending) continue;
      const { partials } = (await pending) as { partials: HostPartials };
      sum = addPartials(sum, partialsFromHost(partials, sum));
    }
    return sum;
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
