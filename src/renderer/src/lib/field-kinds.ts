// How each config key is edited in the UI: integer, decimal, probability slider, range pair, RGB triple, choice or switch.
import { RECIPE_DEFAULTS, type ConfigKey } from '../../../shared/config-schema';

export type FieldKind = 'int' | 'number' | 'slider' | 'range' | 'triple' | 'choice' | 'switch';

const INT_KEYS = new Set<ConfigKey>([
  'globalSize', 'localSize', 'localCrops', 'depth', 'outDim', 'headHiddenDim', 'headBottleneckDim', 'warmupTeacherTempEpochs',
  'batchSize', 'accumulate', 'epochs', 'warmupEpochs', 'freezeLastLayer', 'seed', 'workers', 'prefetch', 'checkpointEvery', 'maxPixels', 'knnEvery',
]);
const SLIDER_KEYS = new Set<ConfigKey>([
  'flipProb', 'jitterProb', 'grayscaleProb', 'global1BlurProb', 'global2BlurProb', 'localBlurProb',
  'global1SolarizeProb', 'global2SolarizeProb', 'localSolarizeProb', 'hue',
]);

export const CHOICES: Partial<Record<ConfigKey, readonly (string | number)[]>> = {
  arch: ['vit_tiny', 'vit_small', 'vit_base'],
  patchSize: [16, 8],
  backend: ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'],
};

/** Slider bounds for slider keys. */
export function sliderMax(key: ConfigKey): number {
  return key === 'hue' ? 0.5 : 1;
}

export function fieldKind(key: ConfigKey): FieldKind {
  if (CHOICES[key]) return 'choice';
  if (INT_KEYS.has(key)) return 'int';
  if (SLIDER_KEYS.has(key)) return 'slider';
  const d = RECIPE_DEFAULTS[key];
  if (typeof d === 'boolean') return 'switch';
  if (Array.isArray(d)) return d.length === 2 ? 'range' : 'triple';
  return 'number';
}
