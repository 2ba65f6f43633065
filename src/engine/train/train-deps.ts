// The real components of a training run: createDinoSystem, MulticropLoader (one batch = one optimizer update), scheduleAt, the backend.
import type { BackendInfo, ImageEntry } from '../../shared/ipc-contract';
import { augmentPart, type StudioConfig } from '../../shared/config-schema';
import { MulticropLoader } from '../loader/multicrop-loader';
import { initBackend } from '../tf/backend';
import { createDinoSystem } from './dino-system';
import { scheduleAt } from './schedules';
import { imagesPerStep } from './train-config';
import type { TrainDeps } from './train-loop';

let current: BackendInfo | null = null;
let pending: Promise<BackendInfo> | null = null;
let pendingPref: StudioConfig['backend'] | null = null;

/** Initialise the backend a config asks for (once per preference in a row) and remember it for backend:info. */
export async function ensureBackend(pref: StudioConfig['backend']): Promise<BackendInfo> {
  if (!pending || pendingPref !== pref) {
    pendingPref = pref;
    pending = initBackend(pref).then((b) => (current = b));
  }
  return pending;
}

/** The backend in use in this process (null before the first initialisation). */
export function currentBackend(): BackendInfo | null {
  return current;
}

/** Bind the loop to the real model and loader. */
export function realTrainDeps(backend: () => BackendInfo | null = currentBackend): TrainDeps<ImageEntry> {
  return {
    createSystem: (config, seed, initial) => createDinoSystem(config, { seed, initial }),
    createLoader: (images, config, start) =>
      new MulticropLoader({
        images,
        config: augmentPart(config),
        batchSize: imagesPerStep(config),
        seed: config.seed,
        workers: config.workers,
        prefetch: config.prefetch,
        start,
        maxPixels: config.maxPixels,
      }),
    schedule: scheduleAt,
    backend,
  };
}
