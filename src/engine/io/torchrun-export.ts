// The exact `torchrun ... main_dino.py` command line (official DINO code) that continues a run's recipe at scale; settings it lacks become comments.
import { configShape, type ConfigKey, type StudioConfig } from '../../shared/config-schema';

export interface TorchrunOptions {
  /** Processes (GPUs) per node: torchrun --nproc_per_node. */
  nprocPerNode: number;
  /** The ImageFolder the cluster trains on (main_dino.py --data_path). */
  dataPath: string;
  /** Where main_dino.py writes checkpoints and log.txt (--output_dir). */
  outputDir: string;
  /** Shown in the header comment (e.g. the run folder). */
  source?: string;
  /** Path of main_dino.py as the cluster sees it. */
  script?: string;
}

/** Settings main_dino.py fixes in code (no flag): the value it uses, and where. */
const FIXED_IN_OFFICIAL: Partial<Record<ConfigKey, { value: unknown; where: string }>> = {
  globalSize: { value: 224, where: 'DataAugmentationDINO: RandomResizedCrop(224)' },
  localSize: { value: 96, where: 'DataAugmentationDINO: RandomResizedCrop(96)' },
  aspectRange: { value: [3 / 4, 4 / 3], where: 'RandomResizedCrop default ratio' },
  flipProb: { value: 0.5, where: 'RandomHorizontalFlip(p=0.5)' },
  jitterProb: { value: 0.8, where: 'RandomApply([ColorJitter], p=0.8)' },
  brightness: { value: 0.4, where: 'ColorJitter(brightness=0.4)' },
  contrast: { value: 0.4, where: 'ColorJitter(contrast=0.4)' },
  saturation: { value: 0.2, where: 'ColorJitter(saturation=0.2)' },
  hue: { value: 0.1, where: 'ColorJitter(hue=0.1)' },
  grayscaleProb: { value: 0.2, where: 'RandomGrayscale(p=0.2)' },
  blurSigma: { value: [0.1, 2.0], where: 'utils.GaussianBlur(radius_min=0.1, radius_max=2.0)' },
  global1BlurProb: { value: 1.0, where: 'global_transfo1: GaussianBlur(1.0)' },
  global2BlurProb: { value: 0.1, where: 'global_transfo2: GaussianBlur(0.1)' },
  localBlurProb: { value: 0.5, where: 'local_transfo: GaussianBlur(p=0.5)' },
  global1SolarizeProb: { value: 0, where: 'global_transfo1 has no Solarization' },
  global2SolarizeProb: { value: 0.2, where: 'global_transfo2: Solarization(0.2)' },
  localSolarizeProb: { value: 0, where: 'local_transfo has no Solarization' },
  solarizeThreshold: { value: 128, where: 'ImageOps.solarize default threshold' },
  mean: { value: [0.485, 0.456, 0.406], where: 'transforms.Normalize mean' },
  std: { value: [0.229, 0.224, 0.225], where: 'transforms.Normalize std' },
  depth: { value: 12, where: 'vision_transformer.vit_tiny/small/base: depth=12' },
  headHiddenDim: { value: 2048, where: 'DINOHead(hidden_dim=2048)' },
  headBottleneckDim: { value: 256, where: 'DINOHead(bottleneck_dim=256)' },
  studentTemp: { value: 0.1, where: 'DINOLoss(student_temp=0.1)' },
  centerMomentum: { value: 0.9, where: 'DINOLoss(center_momentum=0.9)' },
};

/** Settings that only concern this app's engine, with why they do not carry over. */
const NOT_APPLICABLE: Partial<Record<ConfigKey, string>> = {
  prefetch: 'batches prepared ahead by our loader; torch DataLoader uses its own prefetch_factor',
  maxPixels: "our decompression-bomb guard; PIL applies its own Image.MAX_IMAGE_PIXELS",
  backend: 'TensorFlow.js backend choice; main_dino.py runs on CUDA',
  knnEvery: 'k-NN of the teacher during training; main_dino.py has none (run eval_knn.py on a checkpoint)',
  knnHoldOut: 'share of a labelled folder held out for that k-NN; main_dino.py has none',
  checkpointEvery:
    'steps between our checkpoints; main_dino.py writes checkpoint.pth every epoch and checkpointXXXX.pth every --saveckp_freq epochs (left at its default)',
};

const num = (v: number): string => String(v);
const bool = (v: boolean): string => (v ? 'true' : 'false');
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** POSIX shell quoting, only when needed. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function show(v: unknown): string {
  return Array.isArray(v) ? v.map((x) => num(x as number)).join(' ') : String(v);
}

/**
 * Build the torchrun command. Every config key is either a flag, part of a flag (accumulate is folded into
 * the batch size), a comment saying main_dino.py fixes the same value, a comment saying it differs and
 * where to change it, or a comment saying it does not apply. Nothing is dropped silently.
 */
export function torchrunCommand(config: StudioConfig, opts: TorchrunOptions): string {
  const nproc = Math.max(1, Math.floor(opts.nprocPerNode));
  const effectiveBatch = config.batchSize * config.accumulate;
  const perGpu = Math.max(1, Math.floor(effectiveBatch / nproc));
  const handled = new Set<ConfigKey>();
  const flags: [string, string][] = [];
  const mapping: string[] = [];
  const flag = (name: string, value: string, ...keys: ConfigKey[]) => {
    flags.push([name, value]);
    for (const k of keys) handled.add(k);
    if (keys.length) mapping.push(`${keys.join(' x ')} -> ${name}`);
  };

  flag('--arch', config.arch, 'arch');
  flag('--patch_size', num(config.patchSize), 'patchSize');
  flag('--out_dim', num(config.outDim), 'outDim');
  flag('--norm_last_layer', bool(config.normLastLayer), 'normLastLayer');
  flag('--momentum_teacher', num(config.momentumTeacher), 'momentumTeacher');
  flag('--use_bn_in_head', 'false');
  flag('--warmup_teacher_temp', num(config.warmupTeacherTemp), 'warmupTeacherTemp');
  flag('--teacher_temp', num(config.teacherTemp), 'teacherTemp');
  flag('--warmup_teacher_temp_epochs', num(config.warmupTeacherTempEpochs), 'warmupTeacherTempEpochs');
  flag('--use_fp16', 'false');
  flag('--weight_decay', num(config.weightDecay), 'weightDecay');
  flag('--weight_decay_end', num(config.weightDecayEnd), 'weightDecayEnd');
  flag('--clip_grad', num(config.clipGrad), 'clipGrad');
  flag('--batch_size_per_gpu', num(perGpu), 'batchSize', 'accumulate');
  flag('--epochs', num(config.epochs), 'epochs');
  flag('--freeze_last_layer', num(config.freezeLastLayer), 'freezeLastLayer');
  flag('--lr', num(config.lr), 'lr');
  flag('--warmup_epochs', num(config.warmupEpochs), 'warmupEpochs');
  flag('--min_lr', num(config.minLr), 'minLr');
  flag('--optimizer', 'adamw');
  flag('--drop_path_rate', '0');
  flag('--global_crops_scale', show(config.globalScale), 'globalScale');
  flag('--local_crops_number', num(config.localCrops), 'localCrops');
  flag('--local_crops_scale', show(config.localScale), 'localScale');
  flag('--seed', num(config.seed), 'seed');
  flag('--num_workers', num(config.workers), 'workers');
  flag('--data_path', shellQuote(opts.dataPath));
  flag('--output_dir', shellQuote(opts.outputDir));

  const script = opts.script ?? 'main_dino.py';
  const lines: string[] = [];
  lines.push('# Continue this Multicrop Studio recipe with the official DINO code (github.com/facebookresearch/dino).');
  if (opts.source) lines.push(`# Source: ${opts.source}`);
  lines.push(
    `# Batch: ${nproc} process(es) x ${perGpu} images = ${nproc * perGpu} images per step` +
      (config.accumulate > 1 ? ` (this run: batchSize ${config.batchSize} x accumulate ${config.accumulate} = ${effectiveBatch})` : ` (this run: ${effectiveBatch})`) +
      '; main_dino.py scales --lr by the total batch / 256.',
  );
  if (nproc * perGpu !== effectiveBatch) {
    lines.push(
      `# WARNING: ${effectiveBatch} images per step do not divide over ${nproc} processes; the cluster batch is ${nproc * perGpu}, so the lr and the steps per epoch differ from this run.`,
    );
  }
  lines.push('# --use_fp16 false: this run trained in float32. --drop_path_rate 0: our student has no stochastic depth (main_dino.py default 0.1).');
  lines.push('# --data_path must be an ImageFolder (images inside at least one class subfolder), as main_dino.py reads it with datasets.ImageFolder.');
  lines.push(`torchrun --nproc_per_node=${nproc} ${shellQuote(script)} \\`);
  flags.forEach(([name, value], i) => lines.push(`  ${name} ${value}${i < flags.length - 1 ? ' \\' : ''}`));

  const differs: string[] = [];
  const matches: string[] = [];
  const notApplicable: string[] = [];
  for (const key of Object.keys(configShape) as ConfigKey[]) {
    if (handled.has(key)) continue;
    const value = config[key];
    const fixed = FIXED_IN_OFFICIAL[key];
    if (fixed) {
      if (same(value, fixed.value)) matches.push(`#   ${key} = ${show(value)} (${fixed.where})`);
      else differs.push(`#   ${key} = ${show(value)}; main_dino.py uses ${show(fixed.value)} (${fixed.where})`);
      handled.add(key);
    } else if (NOT_APPLICABLE[key]) {
      notApplicable.push(`#   ${key} = ${show(value)}: ${NOT_APPLICABLE[key]}`);
      handled.add(key);
    } else {
      // A key added to the schema later but not yet mapped: still never dropped silently.
      differs.push(`#   ${key} = ${show(value)}; no main_dino.py flag known for it`);
      handled.add(key);
    }
  }
  lines.push('#');
  lines.push('# Config keys given as flags:');
  for (let i = 0; i < mapping.length; i += 4) lines.push('#   ' + mapping.slice(i, i + 4).join(', '));
  if (differs.length) {
    lines.push('# NOT reproduced by the flags above: main_dino.py has no flag for these; edit the official code to match:');
    lines.push(...differs);
  } else {
    lines.push('# Every setting without a flag has main_dino.py\'s built-in value in this run.');
  }
  if (matches.length) {
    lines.push('# Same as the value main_dino.py fixes in code:');
    lines.push(...matches);
  }
  if (notApplicable.length) {
    lines.push('# Specific to this app, no effect on the recipe:');
    lines.push(...notApplicable);
  }
  return lines.join('\n') + '\n';
}
