// Which training/augmentation settings each CLI command takes as flags (and lists in its --help): only those it uses.
import { augmentShape, CONFIG_META, configShape, type ConfigKey } from '../shared/config-schema';

const ALL = Object.keys(configShape) as ConfigKey[];

/** Every augmentation setting (the loader's views). */
export const AUGMENT_SETTINGS = Object.keys(augmentShape) as ConfigKey[];

/** `preview`: the views of one image, their seed and the decoder's pixel guard. */
export const PREVIEW_SETTINGS: readonly ConfigKey[] = [...AUGMENT_SETTINGS, 'seed', 'maxPixels'];

/** `bench-loader`: the views, the seed, the pixel guard and the prefetch queue (workers and batch are its own options). */
export const LOADER_BENCH_SETTINGS: readonly ConfigKey[] = [...AUGMENT_SETTINGS, 'seed', 'maxPixels', 'prefetch'];

/** `bench-train`: one training step on synthetic crops: the model, optimisation and schedules, the crop sizes and count, the seed and the backend. */
export const STEP_BENCH_SETTINGS: readonly ConfigKey[] = [
  ...ALL.filter((k) => ['model', 'optimisation', 'schedule'].includes(CONFIG_META[k].group)),
  'globalSize',
  'localSize',
  'localCrops',
  'seed',
  'backend',
];
