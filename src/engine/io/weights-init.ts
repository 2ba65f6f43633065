// Initial training parameters from an imported backbone: the file's ViT (checked against the run's config), the DINO head from the file or freshly initialised.
import type { StudioConfig } from '../../shared/config-schema';
import { headSpecs } from '../model/dino-head';
import { initParams } from '../model/init';
import { vitSpecs } from '../model/vit';
import { modelConfigs } from '../train/dino-system';
import type { NamedTensors } from '../train/step-types';
import { WeightsImportError, strictCheck, type ImportedWeights } from './weights-import';

export interface InitFromWeights {
  /** Every parameter of the DINO student (= teacher at step 0), official names, PyTorch shapes. */
  tensors: NamedTensors;
  /** Whether the head came from the file (else: the official initialisation from the seed). */
  headFromFile: boolean;
}

/**
 * The student/teacher starting point for a run of `config` whose backbone is `imported`. The run's arch, patch size
 * and depth must equal the file's (a mismatch names both); the position grid must be the 224 px one training uses.
 * A head in the file is used when its dimensions equal the config's; otherwise the head starts from `seed`.
 */
export function initialTensorsFromWeights(config: StudioConfig, imported: ImportedWeights, seed = config.seed): InitFromWeights {
  const { vit, head } = modelConfigs(config);
  const mismatches: string[] = [];
  if (imported.arch !== config.arch) mismatches.push(`arch ${imported.arch} in the file, ${config.arch} in the config`);
  if (imported.vit.patchSize !== config.patchSize) mismatches.push(`patch size ${imported.vit.patchSize} in the file, ${config.patchSize} in the config`);
  if (imported.vit.depth !== config.depth) mismatches.push(`depth ${imported.vit.depth} in the file, ${config.depth} in the config`);
  if (mismatches.length) {
    throw new WeightsImportError(`${imported.source} cannot initialise this run: ${mismatches.join('; ')}. Set the run's arch/patch-size/depth to the file's.`);
  }
  strictCheck(vitSpecs(vit), imported.backbone, imported.source, `${config.arch}/${config.patchSize} backbone with a 224 px position grid`);
  const hSpecs = headSpecs(head, 'head.');
  const sameHead =
    imported.head !== null &&
    imported.headConfig !== null &&
    imported.headConfig.hiddenDim === head.hiddenDim &&
    imported.headConfig.bottleneckDim === head.bottleneckDim &&
    imported.headConfig.outDim === head.outDim;
  const headTensors = sameHead ? imported.head! : initParams(hSpecs, seed);
  const tensors: NamedTensors = {};
  for (const s of vitSpecs(vit)) tensors[s.name] = { shape: s.hostShape.slice(), data: Float32Array.from(imported.backbone[s.name]!.data) };
  for (const s of hSpecs) tensors[s.name] = { shape: s.hostShape.slice(), data: Float32Array.from(headTensors[s.name]!.data) };
  return { tensors, headFromFile: sameHead };
}
