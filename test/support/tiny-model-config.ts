// The smallest DINO configuration the tests train (a one-block ViT-Tiny on 32/16 px crops): one definition, overridden per test.
import { RECIPE_DEFAULTS, type StudioConfig } from '../../src/shared/config-schema';

/** `base` (the recipe defaults unless given) with a model small enough that a step takes tens of milliseconds on the cpu backend. */
export function tinyModelConfig(over: Partial<StudioConfig> = {}, base: StudioConfig = RECIPE_DEFAULTS): StudioConfig {
  return {
    ...base,
    arch: 'vit_tiny',
    depth: 1,
    patchSize: 16,
    globalSize: 32,
    localSize: 16,
    localCrops: 2,
    outDim: 64,
    headHiddenDim: 32,
    headBottleneckDim: 16,
    batchSize: 4,
    ...over,
  };
}
