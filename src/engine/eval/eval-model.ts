// What an evaluation runs on: a run's checkpoint teacher (latest by default) or an imported weights file, strictly validated.
import { join } from 'node:path';
import type { StudioConfig } from '../../shared/config-schema';
import type { VitArch, VitConfig } from '../model/vit';
import { CheckpointStore, type Checkpoint } from '../train/checkpoint-store';
import { readRunConfig } from '../train/run-store';
import type { NamedTensors } from '../train/step-types';
import { importState, importWeightsFile, type ImportOverrides } from '../io/weights-import';
import { evalCenterCrop, type Preprocess } from './eval-image';

export interface EvalModel {
  /** For people: 'step-00000120 of runs/x' or the weights file. */
  label: string;
  arch: VitArch;
  vit: VitConfig;
  /** Backbone under official names (no prefix). */
  backbone: NamedTensors;
  /** Teacher head ('head.*') when present. */
  head: NamedTensors | null;
  /** The run's training config (null for a weights file). */
  config: StudioConfig | null;
  runDir: string | null;
  checkpoint: string | null;
}

/** A missing run or checkpoint: says which and what to do. */
export class EvalSourceError extends Error {
  override name = 'EvalSourceError';
  constructor(
    message: string,
    readonly kind: 'not_found' | 'bad_input',
  ) {
    super(message);
  }
}

/**
 * An eval model from teacher tensors in memory (official names, 'head.*' for the head) and the run's config: what a
 * training loop can hand to evaluateKnn every N epochs without writing a file. `label` must identify these weights
 * (e.g. run + step): a FeatureCache keys features by it.
 */
export function modelFromTensors(teacher: NamedTensors, config: StudioConfig, label: string, source = label): EvalModel {
  const backbone: NamedTensors = {};
  const head: NamedTensors = {};
  for (const [k, t] of Object.entries(teacher)) (k.startsWith('head.') ? head : backbone)[k] = t;
  const imported = importState(backbone, source, { arch: config.arch, patchSize: config.patchSize, depth: config.depth });
  return {
    label,
    arch: imported.arch,
    vit: imported.vit,
    backbone: imported.backbone,
    head: Object.keys(head).length ? head : null,
    config,
    runDir: null,
    checkpoint: null,
  };
}

/** Split a checkpoint's teacher into backbone and head and validate the backbone against the run's config. */
export function modelFromCheckpoint(ck: Checkpoint, runDir: string): EvalModel {
  const m = modelFromTensors(ck.state.teacher, ck.meta.config, `${ck.name} of ${runDir}`, join(ck.dir, 'teacher.safetensors'));
  return { ...m, runDir, checkpoint: ck.name };
}

/** The run's latest valid checkpoint (or the named one). */
export async function modelFromRun(runDir: string, checkpoint?: string): Promise<EvalModel> {
  const store = new CheckpointStore(runDir);
  if (checkpoint) {
    const names = await store.names();
    if (!names.includes(checkpoint)) {
      throw new EvalSourceError(
        `run ${runDir} has no checkpoint ${checkpoint}` + (names.length ? ` (it has ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})` : ''),
        'not_found',
      );
    }
    return modelFromCheckpoint(await store.load(checkpoint), runDir);
  }
  const { checkpoint: ck, problems } = await store.loadLatest();
  if (!ck) {
    const hasConfig = (await readRunConfig(runDir)) !== null;
    const why = problems.length ? `; unusable: ${problems.map((p) => `${p.name} (${p.reason})`).join('; ')}` : '';
    throw new EvalSourceError(
      hasConfig
        ? `run ${runDir} has no usable checkpoint yet${why}. Train it for at least one checkpoint (\`multicrop train ... --max-steps 0\` writes the step-0 one).`
        : `${runDir} is not a run folder (no config.json and no checkpoints/); pass the folder \`multicrop train\` created, or use --weights FILE.`,
      'not_found',
    );
  }
  return modelFromCheckpoint(ck, runDir);
}

export async function modelFromWeights(path: string, overrides: ImportOverrides = {}): Promise<EvalModel> {
  const w = await importWeightsFile(path, overrides);
  return { label: path, arch: w.arch, vit: w.vit, backbone: w.backbone, head: w.head, config: null, runDir: null, checkpoint: null };
}

/**
 * The eval transform: eval_knn.py's Resize(256) + CenterCrop(224) for imported weights; for a run trained on
 * smaller global crops, the same transform scaled to its global crop size (e.g. 96 -> resize 110, crop 96),
 * the resolution its teacher saw. `size` overrides the crop.
 */
export function evalPreprocess(model: EvalModel, size?: number): Preprocess {
  const crop = size ?? model.config?.globalSize ?? 224;
  if (crop % model.vit.patchSize !== 0) {
    throw new EvalSourceError(`eval size ${crop} is not a multiple of the patch size ${model.vit.patchSize}`, 'bad_input');
  }
  return evalCenterCrop(crop);
}
