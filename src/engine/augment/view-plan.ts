// The recipe's view list (global 1, global 2, N locals) and every random draw of one view, from (seed, epoch, image, view).
import type { AugmentConfig } from '../../shared/config-schema';
import type { CropBox, ViewKind, ViewOps } from '../../shared/ipc-contract';
import { SeededRng } from '../util/seeded-rng';
import { sampleResizedCrop } from './random-resized-crop';

/** Stream tag so view streams never coincide with other users of SeededRng keyed by the same numbers. */
const VIEW_STREAM = 0x5669_6577; // 'View'

export interface ViewSpec {
  index: number;
  name: string; // 'global 1', 'global 2', 'local 1', ...
  kind: ViewKind;
  size: number;
  scale: readonly [number, number];
  blurProb: number;
  solarizeProb: number;
}

export interface ViewDraw {
  spec: ViewSpec;
  box: CropBox;
  ops: ViewOps;
}

/** Views in batch order: the two globals, then the locals. */
export function viewSpecs(c: AugmentConfig): ViewSpec[] {
  const specs: ViewSpec[] = [
    { index: 0, name: 'global 1', kind: 'global', size: c.globalSize, scale: c.globalScale, blurProb: c.global1BlurProb, solarizeProb: c.global1SolarizeProb },
    { index: 1, name: 'global 2', kind: 'global', size: c.globalSize, scale: c.globalScale, blurProb: c.global2BlurProb, solarizeProb: c.global2SolarizeProb },
  ];
  for (let i = 0; i < c.localCrops; i++) {
    specs.push({ index: 2 + i, name: `local ${i + 1}`, kind: 'local', size: c.localSize, scale: c.localScale, blurProb: c.localBlurProb, solarizeProb: c.localSolarizeProb });
  }
  return specs;
}

/** The random stream of one view: a pure function of (seed, epoch, image index, view index). */
export function viewRng(seed: number, epoch: number, imageIndex: number, viewIndex: number): SeededRng {
  return new SeededRng(VIEW_STREAM, seed, epoch, imageIndex, viewIndex);
}

type JitterOp = 'brightness' | 'contrast' | 'saturation' | 'hue';
const JITTER_OPS: JitterOp[] = ['brightness', 'contrast', 'saturation', 'hue'];

/**
 * Draw one view for a width x height source, in the recipe's order: RandomResizedCrop, flip, RandomApply(ColorJitter)
 * (torchvision ColorJitter.get_params: a random permutation of the four ops, then each factor), grayscale, blur, solarize.
 */
export function drawView(rng: SeededRng, spec: ViewSpec, c: AugmentConfig, width: number, height: number): ViewDraw {
  const crop = sampleResizedCrop(rng, width, height, spec.scale, c.aspectRange);
  const flip = rng.next() < c.flipProb;
  let jitter: ViewOps['jitter'] = null;
  if (rng.next() < c.jitterProb) {
    const perm = rng.permutation(4);
    const factor = (strength: number) => (strength > 0 ? rng.uniform(Math.max(0, 1 - strength), 1 + strength) : 1);
    const brightness = factor(c.brightness);
    const contrast = factor(c.contrast);
    const saturation = factor(c.saturation);
    const hue = c.hue > 0 ? rng.uniform(-c.hue, c.hue) : 0;
    jitter = { order: Array.from(perm, (k) => JITTER_OPS[k]!), brightness, contrast, saturation, hue };
  }
  const grayscale = rng.next() < c.grayscaleProb;
  let blurSigma: number | null = null;
  if (rng.next() < spec.blurProb) blurSigma = rng.uniform(c.blurSigma[0], c.blurSigma[1]);
  const solarize = rng.next() < spec.solarizeProb;
  return { spec, box: crop.box, ops: { flip, jitter, grayscale, blurSigma, solarize, fallback: crop.fallback } };
}

/** Every view of one image. */
export function drawImageViews(c: AugmentConfig, seed: number, epoch: number, imageIndex: number, width: number, height: number): ViewDraw[] {
  return viewSpecs(c).map((spec) => drawView(viewRng(seed, epoch, imageIndex, spec.index), spec, c, width, height));
}
