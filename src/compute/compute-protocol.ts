// Messages between the engine and a compute window (the trainer bundle running where WebGPU is: a Chromium or Electron window), over a MessagePort.
import type { StudioConfig } from '../shared/config-schema';
import type { AttentionLayout, BackendInfo, ErrorCode } from '../shared/ipc-contract';
import type { Batch } from '../engine/loader/batch-types';
import type { DinoState, NamedTensors, StepSchedule, StepStats } from '../engine/train/step-types';

/** The window's announcement that carries the port (window.postMessage with the port transferred). */
export const COMPUTE_PORT_MESSAGE = 'multicrop-compute-port';

/**
 * The backend the window is asked for: 'webgpu' (any adapter, a software one included), 'auto' (WebGPU on a hardware
 * adapter only, as the engine's auto), 'cpu' (tests of the protocol where no GPU is).
 */
export type ComputeBackend = 'webgpu' | 'auto' | 'cpu';

export type ComputeRequest =
  | { id: number; kind: 'start'; backend: ComputeBackend }
  | { id: number; kind: 'init'; config: StudioConfig; seed: number; backend: ComputeBackend; attention?: AttentionLayout; initial?: NamedTensors }
  | { id: number; kind: 'step'; batches: Batch[]; sched: StepSchedule }
  | { id: number; kind: 'state' }
  | { id: number; kind: 'setState'; state: DinoState }
  | { id: number; kind: 'dispose' };

export interface ComputeMemory {
  numTensors: number;
  /** Bytes in GPU buffers (webgpu), null elsewhere. */
  numBytesInGPU: number | null;
}

export type ComputeReply =
  | { id: number; ok: true; backend?: BackendInfo; stats?: StepStats; state?: DinoState; memory?: ComputeMemory }
  | { id: number; ok: false; error: string; code?: ErrorCode };

/** From the engine's relay to the trainer's client when the window went away (crashed, closed): every pending request fails with `why`. */
export interface ComputeLost {
  kind: 'lost';
  why: string;
}

/** The trainer's end of the port, whatever carries it (a DOM MessagePort in a window, a worker_threads MessagePort in Node). */
export interface ComputeServerLink {
  onRequest(cb: (req: ComputeRequest) => void): void;
  reply(r: ComputeReply): void;
}
