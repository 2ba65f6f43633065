// The DINO system of a compute window, as the train loop uses it (TrainSystem): each step, checkpoint read and resume goes over the window's port to the same DinoSystem running there.
import type { StudioConfig } from '../../shared/config-schema';
import type { BackendInfo } from '../../shared/ipc-contract';
import type { ComputeBackend } from '../../compute/compute-protocol';
import type { Batch } from '../loader/batch-types';
import type { AttentionMode } from '../model/attention';
import { StudioFailure } from '../studio-failure';
import type { ComputeClient } from './compute-client';
import type { DinoState, NamedTensors, StepSchedule, StepStats } from './step-types';
import type { TrainSystem } from './train-loop';

export interface RemoteSystemOptions {
  seed: number;
  backend: ComputeBackend;
  attention?: AttentionMode;
  initial?: NamedTensors;
}

export class RemoteDinoSystem implements TrainSystem {
  /** A setState sent but not yet answered: the next call waits for it (and fails with its error). */
  private pendingSet: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(
    private readonly client: ComputeClient,
    /** The backend the window's system runs on (WebGPU and its adapter, as the window reported it). */
    readonly backend: BackendInfo,
  ) {}

  /** Create the system in the window (a fresh one: an earlier run's system there is freed first). */
  static async create(client: ComputeClient, config: StudioConfig, opts: RemoteSystemOptions): Promise<RemoteDinoSystem> {
    const r = await client.request({ kind: 'init', config, seed: opts.seed, backend: opts.backend, attention: opts.attention, initial: opts.initial });
    if (!r.backend) throw new StudioFailure('internal', 'the compute window created the DINO system but did not say which backend it runs on');
    return new RemoteDinoSystem(client, r.backend);
  }

  async step(batch: Batch | Batch[], sched: StepSchedule): Promise<StepStats> {
    await this.pendingSet;
    const r = await this.client.request({ kind: 'step', batches: Array.isArray(batch) ? batch : [batch], sched });
    if (!r.stats) throw new StudioFailure('internal', 'the compute window answered a step without its statistics');
    return r.stats;
  }

  async readState(): Promise<DinoState> {
    await this.pendingSet;
    const r = await this.client.request({ kind: 'state' });
    if (!r.state) throw new StudioFailure('internal', 'the compute window answered a state request without the state');
    return r.state;
  }

  /** Sent at once; the window handles requests in order, so the next step trains from this state (its failure surfaces there). */
  setState(s: DinoState): void {
    this.pendingSet = this.client.request({ kind: 'setState', state: s });
    // Not unhandled if nothing follows: the next call rethrows it.
    this.pendingSet.catch(() => undefined);
  }

  /** Free the window's system; a window already gone has nothing to free. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.client.lost !== null) return;
    await this.client.request({ kind: 'dispose' }).catch(() => undefined);
  }
}
