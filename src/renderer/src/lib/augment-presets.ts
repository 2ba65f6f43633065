// Augmentation presets of the lab: named overlays on the augmentation keys (the recipe itself, and common variations).
import { augmentPart, RECIPE_DEFAULTS, type AugmentConfig } from '../../../shared/config-schema';

/** Augmentation presets: overlays on the current config's augmentation keys. */
export const AUGMENT_PRESETS: Record<string, Partial<AugmentConfig>> = {
  'DINO recipe': augmentPart(RECIPE_DEFAULTS),
  'No multi-crop (2 globals)': { localCrops: 0 },
  'Mild colour': { jitterProb: 0.5, brightness: 0.2, contrast: 0.2, saturation: 0.1, hue: 0.02, grayscaleProb: 0.05, global2SolarizeProb: 0 },
  'Tight local crops': { localScale: [0.05, 0.2], localCrops: 10 },
  'No colour ops': { jitterProb: 0, grayscaleProb: 0, global1BlurProb: 0, global2BlurProb: 0, localBlurProb: 0, global2SolarizeProb: 0 },
};
