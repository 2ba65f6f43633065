// Messages between the engine and a compute window (the trainer bundle running where WebGPU is: a Chromium or Electron window), over a MessagePort.
import type { StudioConfig } from '../shared/config-schema';
import type { BackendInfo } from '../shared/ipc-contract';
import type { Batch } from '../engine/loader/batch-types';
import type { DinoState, NamedTensors, StepSchedule, StepStats } from '../engine/train/step-types';

/** The window's announcement that carries the port (window.postMessage with the port transferred). */
export const COMPUTE_PORT_MESSAGE = 'multicrop-compute-port';

export type ComputeRequest =
  | { id: number; kind: 'init'; config: StudioConfig; seed: number; backend: 'webgpu' | 'cpu'; attention?: 'pairs' | 'batched'; initial?: NamedTensors }
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
  | { id: number; ok: false; error: string };
