// The one flat training + augmentation config: defaults reproduce the recipe (docs/recipe.md), each key has help text and a UI group.
import { z } from 'zod';

/** Where a setting is shown in the UI and grouped in `--help`. */
export type ConfigGroup =
  | 'all views'
  | 'global 1'
  | 'global 2'
  | 'local'
  | 'model'
  | 'optimisation'
  | 'schedule'
  | 'run';

interface FieldMeta {
  group: ConfigGroup;
  label: string;
  help: string;
}

const range = (lo: number, hi: number) =>
  z
    .tuple([z.number().finite(), z.number().finite()])
    .refine(([a, b]) => a <= b, { message: 'the first value must not exceed the second' })
    .refine(([a, b]) => a >= lo && b <= hi, { message: `values must lie in [${lo}, ${hi}]` });

const prob = () => z.number().finite().min(0).max(1);
const triple = () => z.tuple([z.number().finite(), z.number().finite(), z.number().finite()]);

/** Augmentation (the multi-crop loader). Defaults: docs/recipe.md "The views of one image". */
export const augmentShape = {
  globalSize: z.number().int().min(16).max(1024),
  localSize: z.number().int().min(8).max(1024),
  localCrops: z.number().int().min(0).max(32),
  globalScale: range(0.0001, 1),
  localScale: range(0.0001, 1),
  aspectRange: range(0.05, 20),
  flipProb: prob(),
  jitterProb: prob(),
  brightness: z.number().finite().min(0).max(10),
  contrast: z.number().finite().min(0).max(10),
  saturation: z.number().finite().min(0).max(10),
  hue: z.number().finite().min(0).max(0.5),
  grayscaleProb: prob(),
  blurSigma: range(0.001, 50),
  global1BlurProb: prob(),
  global2BlurProb: prob(),
  localBlurProb: prob(),
  global1SolarizeProb: prob(),
  global2SolarizeProb: prob(),
  localSolarizeProb: prob(),
  solarizeThreshold: z.number().finite().min(0).max(255),
  mean: triple(),
  std: triple().refine((s) => s.every((v) => v > 0), { message: 'every std value must be > 0' }),
} as const;

/** Model, optimisation, schedules and run control. Defaults: docs/recipe.md / main_dino.py. */
export const trainShape = {
  arch: z.enum(['vit_tiny', 'vit_small', 'vit_base']),
  patchSize: z.union([z.literal(8), z.literal(16)]),
  depth: z.number().int().min(1).max(24),
  outDim: z.number().int().min(2).max(262144),
  headHiddenDim: z.number().int().min(8).max(8192),
  headBottleneckDim: z.number().int().min(8).max(4096),
  normLastLayer: z.boolean(),
  studentTemp: z.number().finite().positive(),
  warmupTeacherTemp: z.number().finite().positive(),
  teacherTemp: z.number().finite().positive(),
  warmupTeacherTempEpochs: z.number().int().min(0),
  centerMomentum: prob(),
  momentumTeacher: prob(),
  batchSize: z.number().int().min(1).max(4096),
  accumulate: z.number().int().min(1).max(1024),
  epochs: z.number().int().min(1).max(100000),
  lr: z.number().finite().positive(),
  minLr: z.number().finite().min(0),
  warmupEpochs: z.number().int().min(0),
  weightDecay: z.number().finite().min(0),
  weightDecayEnd: z.number().finite().min(0),
  clipGrad: z.number().finite().min(0),
  freezeLastLayer: z.number().int().min(0),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  workers: z.number().int().min(0).max(64),
  prefetch: z.number().int().min(1).max(64),
  checkpointEvery: z.number().int().min(1),
  maxPixels: z.number().int().min(1),
  backend: z.enum(['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu']),
  knnEvery: z.number().int().min(0).default(50),
  knnHoldOut: z.number().finite().min(0).max(0.9).default(0.2),
} as const;

export const configShape = { ...augmentShape, ...trainShape } as const;

export const augmentConfigSchema = z.strictObject(augmentShape);
export const configSchema = z
  .strictObject(configShape)
  .superRefine((c, ctx) => {
    if (c.localCrops > 0 && c.localSize > c.globalSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['localSize'],
        message: `local crop size (${c.localSize} px) is larger than the global crop size (${c.globalSize} px); make it ${c.globalSize} px or smaller`,
      });
    }
    for (const key of ['globalSize', 'localSize'] as const) {
      if (c[key] % c.patchSize !== 0) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key === 'globalSize' ? 'global' : 'local'} crop size (${c[key]} px) is not a multiple of the patch size (${c.patchSize} px); use ${Math.max(c.patchSize, Math.round(c[key] / c.patchSize) * c.patchSize)} px for example`,
        });
      }
    }
    if (c.minLr > c.lr) {
      ctx.addIssue({ code: 'custom', path: ['minLr'], message: `minimum learning rate (${c.minLr}) is larger than the learning rate (${c.lr}); make it ${c.lr} or smaller` });
    }
    if (c.warmupEpochs >= c.epochs && c.epochs > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['warmupEpochs'],
        message: `warmup epochs (${c.warmupEpochs}) must be fewer than the epochs (${c.epochs})`,
      });
    }
  });

export type AugmentConfig = z.infer<typeof augmentConfigSchema>;
export type StudioConfig = z.infer<typeof configSchema>;
export type ConfigKey = keyof StudioConfig;

/** The recipe (docs/recipe.md) exactly (the official main_dino.py defaults where the recipe is silent). */
export const RECIPE_DEFAULTS: StudioConfig = {
  globalSize: 224,
  localSize: 96,
  localCrops: 8,
  globalScale: [0.4, 1.0],
  localScale: [0.05, 0.4],
  aspectRange: [3 / 4, 4 / 3],
  flipProb: 0.5,
  jitterProb: 0.8,
  brightness: 0.4,
  contrast: 0.4,
  saturation: 0.2,
  hue: 0.1,
  grayscaleProb: 0.2,
  blurSigma: [0.1, 2.0],
  global1BlurProb: 1.0,
  global2BlurProb: 0.1,
  localBlurProb: 0.5,
  global1SolarizeProb: 0,
  global2SolarizeProb: 0.2,
  localSolarizeProb: 0,
  solarizeThreshold: 128,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  arch: 'vit_small',
  patchSize: 16,
  depth: 12,
  outDim: 65536,
  headHiddenDim: 2048,
  headBottleneckDim: 256,
  normLastLayer: true,
  studentTemp: 0.1,
  warmupTeacherTemp: 0.04,
  teacherTemp: 0.04,
  warmupTeacherTempEpochs: 0,
  centerMomentum: 0.9,
  momentumTeacher: 0.996,
  batchSize: 64,
  accumulate: 1,
  epochs: 100,
  lr: 0.0005,
  minLr: 1e-6,
  warmupEpochs: 10,
  weightDecay: 0.04,
  weightDecayEnd: 0.4,
  clipGrad: 3.0,
  freezeLastLayer: 1,
  seed: 0,
  workers: 2,
  prefetch: 4,
  checkpointEvery: 50,
  maxPixels: 100_000_000,
  backend: 'auto',
  knnEvery: 50,
  knnHoldOut: 0.2,
};

export const CONFIG_META: Record<ConfigKey, FieldMeta> = {
  globalSize: { group: 'all views', label: 'Global crop size', help: 'Side in pixels of the two global crops (RandomResizedCrop output).' },
  localSize: { group: 'local', label: 'Local crop size', help: 'Side in pixels of each local crop; kept at this size (never upsampled).' },
  localCrops: { group: 'local', label: 'Local crops', help: 'Number of small local views per image (0 disables multi-crop).' },
  globalScale: { group: 'all views', label: 'Global scale range', help: 'Area fraction range of the source image each global crop covers.' },
  localScale: { group: 'local', label: 'Local scale range', help: 'Area fraction range of the source image each local crop covers.' },
  aspectRange: { group: 'all views', label: 'Aspect ratio range', help: 'Aspect ratio range of crops; log-uniform, as torchvision.' },
  flipProb: { group: 'all views', label: 'Flip probability', help: 'Probability of a horizontal flip.' },
  jitterProb: { group: 'all views', label: 'Colour jitter probability', help: 'Probability that ColorJitter is applied (its four ops in random order).' },
  brightness: { group: 'all views', label: 'Brightness', help: 'ColorJitter brightness strength: factor uniform in [1-b, 1+b].' },
  contrast: { group: 'all views', label: 'Contrast', help: 'ColorJitter contrast strength: factor uniform in [1-c, 1+c].' },
  saturation: { group: 'all views', label: 'Saturation', help: 'ColorJitter saturation strength: factor uniform in [1-s, 1+s].' },
  hue: { group: 'all views', label: 'Hue', help: 'ColorJitter hue strength: shift uniform in [-h, h] (at most 0.5).' },
  grayscaleProb: { group: 'all views', label: 'Grayscale probability', help: 'Probability of converting a view to grayscale.' },
  blurSigma: { group: 'all views', label: 'Blur sigma range', help: 'Gaussian blur sigma, uniform in this range.' },
  global1BlurProb: { group: 'global 1', label: 'Global 1 blur probability', help: 'Probability of Gaussian blur on global view 1.' },
  global2BlurProb: { group: 'global 2', label: 'Global 2 blur probability', help: 'Probability of Gaussian blur on global view 2.' },
  localBlurProb: { group: 'local', label: 'Local blur probability', help: 'Probability of Gaussian blur on each local view.' },
  global1SolarizeProb: { group: 'global 1', label: 'Global 1 solarize probability', help: 'Probability of solarization on global view 1 (recipe: 0).' },
  global2SolarizeProb: { group: 'global 2', label: 'Global 2 solarize probability', help: 'Probability of solarization on global view 2.' },
  localSolarizeProb: { group: 'local', label: 'Local solarize probability', help: 'Probability of solarization on each local view (recipe: 0).' },
  solarizeThreshold: { group: 'all views', label: 'Solarize threshold', help: 'Pixels at or above this value (of 255) are inverted.' },
  mean: { group: 'all views', label: 'Normalise mean', help: 'Per-channel mean subtracted after scaling to [0,1] (RGB).' },
  std: { group: 'all views', label: 'Normalise std', help: 'Per-channel std divided after subtracting the mean (RGB).' },
  arch: { group: 'model', label: 'Architecture', help: 'ViT size: tiny (d=192, 3 heads), small (d=384, 6 heads), base (d=768, 12 heads).' },
  patchSize: { group: 'model', label: 'Patch size', help: 'Patch side in pixels (16 or 8).' },
  depth: { group: 'model', label: 'Depth', help: 'Number of transformer blocks (12 in the paper; fewer trains faster on a CPU).' },
  outDim: { group: 'model', label: 'Output dimension (K)', help: 'Prototypes of the DINO head; 65536 in the paper, 4096-8192 suits small data.' },
  headHiddenDim: { group: 'model', label: 'Head hidden dim', help: 'Hidden width of the DINO head MLP.' },
  headBottleneckDim: { group: 'model', label: 'Head bottleneck dim', help: 'Bottleneck width before the weight-normalised last layer.' },
  normLastLayer: { group: 'model', label: 'Normalise last layer', help: 'Fix the weight-norm gain of the last head layer at 1.' },
  studentTemp: { group: 'optimisation', label: 'Student temperature', help: 'Temperature of the student softmax.' },
  warmupTeacherTemp: { group: 'schedule', label: 'Warmup teacher temperature', help: 'Teacher temperature at the start of its linear warmup.' },
  teacherTemp: { group: 'schedule', label: 'Teacher temperature', help: 'Teacher temperature after warmup.' },
  warmupTeacherTempEpochs: { group: 'schedule', label: 'Teacher temperature warmup epochs', help: 'Epochs of linear teacher-temperature warmup (paper advice: 30).' },
  centerMomentum: { group: 'optimisation', label: 'Center momentum', help: 'EMA rate of the teacher center.' },
  momentumTeacher: { group: 'schedule', label: 'Teacher momentum', help: 'Base EMA momentum of the teacher; cosine to 1.0.' },
  batchSize: { group: 'optimisation', label: 'Batch size', help: 'Images per step (each gives 2 + local crops views).' },
  accumulate: { group: 'optimisation', label: 'Gradient accumulation', help: 'Micro-batches per update: the same update as a batch this many times larger.' },
  epochs: { group: 'schedule', label: 'Epochs', help: 'Passes over the dataset.' },
  lr: { group: 'schedule', label: 'Learning rate', help: 'Peak learning rate at batch 256 (scaled linearly by batch/256).' },
  minLr: { group: 'schedule', label: 'Minimum learning rate', help: 'Final learning rate of the cosine schedule.' },
  warmupEpochs: { group: 'schedule', label: 'Warmup epochs', help: 'Epochs of linear learning-rate warmup.' },
  weightDecay: { group: 'schedule', label: 'Weight decay', help: 'Initial weight decay (cosine to the end value); biases and norms get 0.' },
  weightDecayEnd: { group: 'schedule', label: 'Final weight decay', help: 'Weight decay at the end of training.' },
  clipGrad: { group: 'optimisation', label: 'Gradient clipping', help: 'Per-parameter gradient norm limit (0 disables).' },
  freezeLastLayer: { group: 'optimisation', label: 'Freeze last layer epochs', help: 'Epochs during which the last head layer gets no gradient.' },
  seed: { group: 'run', label: 'Seed', help: 'Seed of every random draw (crops, init, order).' },
  workers: { group: 'run', label: 'Loader workers', help: 'Worker threads decoding and augmenting images (0 = in-process).' },
  prefetch: { group: 'run', label: 'Prefetch batches', help: 'Batches prepared ahead of the trainer (bounded queue).' },
  checkpointEvery: { group: 'run', label: 'Checkpoint every (steps)', help: 'Steps between checkpoints (one is also written on stop).' },
  maxPixels: { group: 'run', label: 'Max pixels per image', help: 'Images declaring more pixels are skipped before decoding (decompression-bomb guard).' },
  backend: { group: 'run', label: 'Backend', help: 'TensorFlow.js backend: auto picks a hardware WebGPU adapter (GPU), then native TensorFlow, then wasm, then cpu; webgpu also runs on a software adapter (SwiftShader), meant for tests.' },
  knnEvery: {
    group: 'run',
    label: 'k-NN every (steps)',
    help:
      'Steps between k-NN evaluations of the teacher during training (k 20, T 0.07), on a val/ folder beside a train/ folder or on a held-out share; ' +
      'widened automatically if one evaluation would cost more than 10 % of the training time in between. 0 turns it off. Needs class subfolders.',
  },
  knnHoldOut: {
    group: 'run',
    label: 'k-NN held-out share',
    help:
      'Without a val/ folder: the share of each class held out as k-NN queries (left out of the k-NN memory bank; still trained on without labels). 0 turns it off.',
  },
};

/**
 * Small-CPU preset: learns within minutes on a few hundred images on 2 cores (0.3 s a step, 1500 steps): on
 * hymenoptera the teacher's k-NN top-1 beats its initialisation by 4-5 points (README "Does it learn?").
 */
export const CPU_PRESET: Partial<StudioConfig> = {
  arch: 'vit_tiny',
  depth: 2,
  globalSize: 64,
  localSize: 32,
  localCrops: 2,
  outDim: 1024,
  headHiddenDim: 512,
  headBottleneckDim: 128,
  batchSize: 16,
  epochs: 100,
  warmupEpochs: 10,
  lr: 0.008,
  momentumTeacher: 0.996,
  warmupTeacherTemp: 0.02,
  teacherTemp: 0.02,
  checkpointEvery: 20,
};

/** The paper's ViT-S/16 setting (issue 4). */
export const PAPER_PRESET: Partial<StudioConfig> = {
  arch: 'vit_small',
  patchSize: 16,
  depth: 12,
  globalSize: 224,
  localSize: 96,
  localCrops: 8,
  outDim: 65536,
  batchSize: 64,
  epochs: 100,
};

export const PRESETS = {
  'cpu-small': CPU_PRESET,
  'dino-paper': PAPER_PRESET,
} as const;
export type PresetName = keyof typeof PRESETS;
export const DEFAULT_PRESET: PresetName = 'cpu-small';

/** Recipe defaults overlaid with a preset. */
export function presetConfig(name: PresetName): StudioConfig {
  return { ...RECIPE_DEFAULTS, ...PRESETS[name] };
}

/** Pick the augmentation keys out of a full config. */
export function augmentPart(c: StudioConfig): AugmentConfig {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(augmentShape)) out[k] = c[k as keyof StudioConfig];
  return out as AugmentConfig;
}

/** camelCase key -> --kebab-case flag. */
export function flagName(key: string): string {
  return '--' + key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** Human-readable zod issues: "localSize: local crop size 128 is larger ...". */
export function describeConfigError(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`)
    .join('\n');
}
