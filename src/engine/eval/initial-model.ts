// A run's step-0 teacher rebuilt from its config and seed (what training starts from), for a k-NN baseline when the step-0 checkpoint is gone.
import { initParams } from '../model/init';
import { headSpecs } from '../model/dino-head';
import { vitSpecs } from '../model/vit';
import { modelConfigs } from '../train/dino-system';
import { readRunConfig } from '../train/run-store';
import { EvalSourceError, modelFromTensors, type EvalModel } from './eval-model';

/** The label names the run and seed: the feature cache keys features by it. */
export async function modelFromInitialWeights(runDir: string): Promise<EvalModel> {
  const config = await readRunConfig(runDir);
  if (!config) throw new EvalSourceError(`${runDir} is not a run folder (no config.json), so its initial weights cannot be rebuilt`, 'not_found');
  const { vit, head } = modelConfigs(config);
  // The same specs and seed as DinoSystem (train-loop creates it with config.seed), so these are the step-0 weights.
  const teacher = initParams([...vitSpecs(vit), ...headSpecs(head, 'head.')], config.seed);
  const m = modelFromTensors(teacher, config, `initial weights (seed ${config.seed}) of ${runDir}`);
  return { ...m, runDir, checkpoint: null };
}
