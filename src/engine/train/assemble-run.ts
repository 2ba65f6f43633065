// One place that assembles a training run from a config: backend, thread layout, DINO system, loader, loop (worker, CLI, benchmarks).
import { availableParallelism } from 'node:os';
import { augmentPart, type StudioConfig } from '../../shared/config-schema';
import type { BackendInfo, ImageEntry } from '../../shared/ipc-contract';
import { MulticropLoader } from '../loader/multicrop-loader';
import type { AttentionMode } from '../model/attention';
import { BACKENDS } from '../backends/backend-registry';
import type { BackendPreference } from '../backends/backend-descriptor';
import { gpuLimitProblem } from '../memory/gpu-limit-check';
import { StudioFailure } from '../studio-failure';
import { ensureAnyBackend, ensureBackend } from '../tf/active-backend';
import type { ComputeBackend } from '../../compute/compute-protocol';
import type { ComputeClient } from './compute-client';
import { RemoteDinoSystem } from './remote-dino-system';
import { computeWindowBackend } from '../backends/compute-window-choice';
import { createOnlineEval } from '../eval/online-eval';
import { createDinoSystem } from './dino-system';
import { ParallelDinoSystem } from './parallel-dino-system';
import { scheduleAt } from './schedules';
import type { NamedTensors } from './step-types';
import { imagesPerStep } from './train-config';
import { runTraining, type TrainDeps, type TrainOutcome, type TrainRunOptions, type TrainSystem } from './train-loop';

/** How a run uses the machine: what `train` runs and `bench-train` times (its JSON reports this object). */
export interface RunLayout {
  backend: BackendInfo;
  /** Threads computing each step's gradients: data-parallel replicas, the training thread included. */
  replicas: number;
  /** Loader worker threads decoding and augmenting (config.workers; 0 = in the training thread). */
  loaderWorkers: number;
  /** Attention layout of the ViT (see model/attention.ts). */
  attention: AttentionMode;
  /** Images per micro-batch and micro-batches per optimizer update. */
  batchSize: number;
  accumulate: number;
  /** CPU cores this process sees (os.availableParallelism). */
  cores: number;
}

export interface AssembleOptions {
  /** Backend preference (default: config.backend); the backend's own module decides what it means. */
  backend?: BackendPreference;
  /** Model replicas instead of the planned number (bench-train --threads, tests). */
  replicas?: number;
  /** Attention layout instead of the backend's (bench-train --attention). */
  attention?: AttentionMode;
  /** Cores to plan for (default: os.availableParallelism()). */
  cores?: number;
  /**
   * A compute window's port (the desktop app's WebGPU, see src/compute): the steps run there when it starts the
   * backend asked for, and the engine's own backend only evaluates; when it cannot, the engine trains itself.
   */
  compute?: ComputeClient;
  /** What the compute window is asked for (default: from the preference, see compute-window-choice.ts). */
  computeBackend?: ComputeBackend;
}

/** The backend the compute window started, or why it could not (the engine then trains itself). */
async function startInWindow(client: ComputeClient, backend: ComputeBackend): Promise<{ ok: true; info: BackendInfo } | { ok: false; why: string }> {
  try {
    const r = await client.request({ kind: 'start', backend });
    if (!r.backend) return { ok: false, why: 'the compute window did not say which backend it started' };
    return { ok: true, info: { ...r.backend, reason: `${r.backend.reason} (in the compute window)` } };
  } catch (e) {
    return { ok: false, why: (e as Error).message };
  }
}

/** Attention layout per backend, from its descriptor (one fused loop kernel per layer on wasm and cpu, batched matMuls on WebGPU and native TensorFlow). */
export function attentionFor(backend: BackendInfo['name']): AttentionMode {
  return BACKENDS[backend].attention;
}

/** At most this many model replicas: each holds a copy of the model and its activations, and weights travel to each one per step. */
export const MAX_REPLICAS = 4;

/**
 * Model replicas for a config on `cores` cores: at most what the backend's descriptor allows (wasm and cpu run each
 * kernel on one thread, so up to one replica per core; native TensorFlow and GPU backends parallelise inside their
 * kernels and keep one), the largest count that divides the batch (the shares must be equal). Loader workers share
 * the same cores: a batch's views cost a few ms of CPU per image against hundreds for the model. Measured (cpu-small,
 * hymenoptera, 2 cores, 15 steps, the benchmark given CPU priority): 1 replica + 2 loader workers 28.0-30.6 images/s,
 * 2 + 2 33.8-37.9; 2 + 1 worker 34; the loader wait stays ~1 ms. On a machine already saturated by other programs the
 * replicas do not help.
 */
export function replicasFor(config: Pick<StudioConfig, 'batchSize'>, backend: BackendInfo['name'], cores: number): number {
  const most = Math.min(BACKENDS[backend].replicas(Math.max(1, Math.floor(cores))), MAX_REPLICAS);
  for (let n = most; n > 1; n--) if (config.batchSize % n === 0) return n;
  return 1;
}

/** The thread layout of a run of `config` on `backend`. */
export function planLayout(config: StudioConfig, backend: BackendInfo, opts: Omit<AssembleOptions, 'backend'> = {}): RunLayout {
  const cores = Math.max(1, opts.cores ?? availableParallelism());
  return {
    backend,
    replicas: Math.max(1, Math.floor(opts.replicas ?? replicasFor(config, backend.name, cores))),
    loaderWorkers: config.workers,
    attention: opts.attention ?? attentionFor(backend.name),
    batchSize: config.batchSize,
    accumulate: config.accumulate,
    cores,
  };
}

/** What the loop needs besides the config and the images. */
export type RunRequest = Omit<TrainRunOptions<ImageEntry>, 'pathOf' | 'config'>;

export interface AssembledRun {
  layout: RunLayout;
  /** The run's components as the loop takes them. */
  deps: TrainDeps<ImageEntry>;
  /** The DINO system a step of this layout runs on (bench-train times it on synthetic crops). */
  createSystem(config: StudioConfig, seed: number, initial?: NamedTensors): Promise<TrainSystem>;
  /** Train (or resume) a run folder with this layout. */
  train(request: RunRequest): Promise<TrainOutcome>;
}

/** A one-line description of a layout, for logs and the CLI. */
export function describeLayout(l: RunLayout): string {
  return (
    `${l.backend.name}, ${l.replicas} model thread${l.replicas === 1 ? '' : 's'}, ${l.loaderWorkers} loader worker${l.loaderWorkers === 1 ? '' : 's'}, ` +
    `attention ${l.attention}, batch ${l.batchSize}${l.accumulate > 1 ? ` x ${l.accumulate} accumulated` : ''}, ${l.cores} cores`
  );
}

/** Initialise the backend and bind a config's run to the real model, loader and schedule. */
export async function assembleRun(config: StudioConfig, opts: AssembleOptions = {}): Promise<AssembledRun> {
  const pref = opts.backend ?? config.backend;
  const asked = opts.compute ? (opts.computeBackend ?? computeWindowBackend(pref, true)) : null;
  const inWindow = opts.compute && asked ? await startInWindow(opts.compute, asked) : null;
  let backend: BackendInfo;
  if (inWindow?.ok) {
    backend = inWindow.info;
    // The engine's own backend evaluates (k-NN, attention) on the teacher the window hands back.
    await ensureAnyBackend();
  } else {
    backend = await ensureBackend(pref);
    if (inWindow) backend = { ...backend, reason: `${backend.reason}; the compute window: ${inWindow.why}` };
  }
  const remote = inWindow?.ok && opts.compute ? { client: opts.compute, backend: asked! } : null;
  // One system in one window: no data-parallel replicas.
  const layout = planLayout(config, backend, remote ? { ...opts, replicas: 1 } : opts);
  // Refused before anything is allocated: a tensor larger than the WebGPU adapter allows for one buffer.
  const tooBig = gpuLimitProblem(config, { ...backend, attention: layout.attention });
  if (tooBig) throw new StudioFailure('bad_input', tooBig);
  const createSystem = async (c: StudioConfig, seed: number, initial?: NamedTensors): Promise<TrainSystem> => {
    if (remote) return RemoteDinoSystem.create(remote.client, c, { seed, initial, backend: remote.backend, attention: layout.attention });
    if (layout.replicas <= 1) return createDinoSystem(c, { seed, initial, attention: layout.attention });
    return ParallelDinoSystem.create(c, { seed, initial, threads: layout.replicas, backend: backend.name, attention: layout.attention });
  };
  const deps: TrainDeps<ImageEntry> = {
    createSystem,
    createLoader: (images, c, start) =>
      new MulticropLoader({
        images,
        config: augmentPart(c),
        batchSize: imagesPerStep(c),
        seed: c.seed,
        workers: c.workers,
        prefetch: c.prefetch,
        start,
        maxPixels: c.maxPixels,
      }),
    schedule: scheduleAt,
    backend: () => backend,
  };
  return {
    layout,
    deps,
    createSystem,
    train: (request) => {
      request.events?.log?.('info', `layout: ${describeLayout(layout)}`);
      // k-NN (and attention on objects) during training wherever the dataset has labels and a val split.
      const onlineEval = request.onlineEval ?? ((c: StudioConfig) => createOnlineEval(request.dataset, request.images, c, (level, m) => request.events?.log?.(level, m)));
      return runTraining({ ...request, config, pathOf: (e) => e.path, onlineEval }, deps);
    },
  };
}
