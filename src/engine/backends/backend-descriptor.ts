// What a TensorFlow.js backend means to the engine: how it starts, what it reports, its attention layout, its memory model and whether it is deterministic.
import type { AdapterInfo, AttentionLayout, BackendName } from '../../shared/ipc-contract';

export type { AdapterInfo, AttentionLayout, BackendName };
export type BackendPreference = 'auto' | BackendName;
/** Every attention layout, for checking a layout named on a command line. */
export const ATTENTION_LAYOUTS: readonly AttentionLayout[] = ['pairs', 'batched', 'fused'];

/** Where a backend's tensors live, which decides what the memory estimate compares them with. */
export interface BackendMemory {
  /** 'host': process memory; 'wasm-heap': the wasm heap (at most 4 GiB) inside process memory; 'gpu': GPU buffers. */
  kind: 'host' | 'wasm-heap' | 'gpu';
  /**
   * Activation bytes one forward + backward pass may use before DinoSystem splits a batch into equal chunks (the
   * update is unchanged); Infinity where the memory estimate, not chunking, guards the configuration.
   */
  activationBudgetBytes: number;
  /** True when the model's input patches are copied into the backend (a JS copy beside the loader's batch). */
  copiesInput: boolean;
}

export interface StartOptions {
  /** How the backend was asked for: 'auto' never takes a software adapter, an explicit request may. */
  requested: BackendPreference;
  /** Threads of the wasm backend (0: tfjs's default). */
  threads?: number;
}

/** The outcome of trying one backend: started (with its description) or why not. */
export type StartOutcome = { ok: true; detail: string; adapter?: AdapterInfo } | { ok: false; why: string };

export interface BackendDescriptor {
  name: BackendName;
  /** One line for people: what it runs on. */
  label: string;
  attention: AttentionLayout;
  /** Same inputs give bit-identical results run after run (GPU reductions may not). */
  deterministic: boolean;
  memory: BackendMemory;
  /** Data-parallel threads (replicas sharing each batch) a training step uses on this backend, given the cores. */
  replicas(cores: number): number;
  /** Initialise the backend in this thread and make it tfjs's active backend, or say why it cannot. */
  start(opts: StartOptions): Promise<StartOutcome>;
}
