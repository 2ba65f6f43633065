// Worker thread of the data-parallel DINO step: a replica that computes gradients for its share of each batch.
import { parentPort, workerData } from 'node:worker_threads';
import type { StudioConfig } from '../../shared/config-schema';
import type { Batch } from '../loader/batch-types';
import type { AttentionMode } from '../model/attention';
import type { BackendPreference } from '../backends/backend-descriptor';
import { startBackend } from '../backends/select-backend';
import { createDinoSystem, type DinoSystem } from './dino-system';
import { accumulateGradients, disposePartials } from './gradient-accumulator';
import type { StepSchedule } from './step-types';

export interface ReplicaState {
  student: Record<string, Float32Array>;
  teacher: Record<string, Float32Array>;
  center: Float32Array;
}

export type DinoWorkerRequest =
  | { id: number; kind: 'replica'; state: ReplicaState }
  | { id: number; kind: 'accumulate'; batches: Batch[]; sched: StepSchedule; totalImages: number }
  | { id: number; kind: 'close' };

/** Host copies of a replica's partial sums (gradients in internal layout, keyed by parameter name). */
export interface HostPartials {
  grads: Record<string, Float32Array>;
  loss: number;
  entropy: number;
  probSum: Float32Array;
  teacherSum: Float32Array;
}

export type DinoWorkerReply =
  | { id: number; ok: true; partials?: HostPartials }
  | { id: number; ok: false; error: string; code?: string };

export interface DinoWorkerData {
  config: StudioConfig;
  seed: number;
  backend: BackendPreference;
  attention: AttentionMode;
}

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const data = workerData as DinoWorkerData;
  const ready = (async () => {
    await startBackend(data.backend);
    return createDinoSystem(data.config, { seed: data.seed, attention: data.attention });
  })();
  let sys: DinoSystem | null = null;
  port.on('message', async (req: DinoWorkerRequest) => {
    try {
      sys ??= await ready;
      if (req.kind === 'close') {
        sys.dispose();
        port.postMessage({ id: req.id, ok: true } satisfies DinoWorkerReply);
        port.close();
        return;
      }
      if (req.kind === 'replica') {
        sys.setReplicaState(req.state);
        port.postMessage({ id: req.id, ok: true } satisfies DinoWorkerReply);
        return;
      }
      const p = accumulateGradients(sys, req.batches, req.sched, req.totalImages);
      const grads: Record<string, Float32Array> = {};
      for (const [k, g] of Object.entries(p.grads)) grads[k] = (await g.data()) as Float32Array;
      const partials: HostPartials = {
        grads,
        loss: (await p.loss.data())[0]!,
        entropy: (await p.entropy.data())[0]!,
        probSum: (await p.probSum.data()) as Float32Array,
        teacherSum: (await p.teacherSum.data()) as Float32Array,
      };
      disposePartials(p);
      const transfer = [...Object.values(grads).map((a) => a.buffer), partials.probSum.buffer, partials.teacherSum.buffer];
      port.postMessage({ id: req.id, ok: true, partials } satisfies DinoWorkerReply, transfer as ArrayBuffer[]);
    } catch (e) {
      port.postMessage({ id: req.id, ok: false, error: (e as Error).message, code: (e as { code?: string }).code } satisfies DinoWorkerReply);
    }
  });
}

void serve();
