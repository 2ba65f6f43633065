// torchvision RandomResizedCrop.get_params, exactly: 10 tries, log-uniform aspect, Python round(), clamped centre-crop fallback.
import type { SeededRng } from '../util/seeded-rng';
import type { CropBox } from '../../shared/ipc-contract';

export interface CropDraw {
  box: CropBox;
  fallback: boolean;
}

/** Python 3 round(): nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Draw a crop box in source pixels for an image of width x height.
 * scale: area fraction range; ratio: aspect (w/h) range, sampled log-uniformly.
 */
export function sampleResizedCrop(
  rng: SeededRng,
  width: number,
  height: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
): CropDraw {
  const area = width * height;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const y = rng.int(height - h + 1);
      const x = rng.int(width - w + 1);
      return { box: { x, y, w, h }, fallback: false };
    }
  }
  const inRatio = width / height;
  let w: number;
  let h: number;
  if (inRatio < Math.min(ratio[0], ratio[1])) {
    w = width;
    h = roundHalfEven(w / Math.min(ratio[0], ratio[1]));
  } else if (inRatio > Math.max(ratio[0], ratio[1])) {
    h = height;
    w = roundHalfEven(h * Math.max(ratio[0], ratio[1]));
  } else {
    w = width;
    h = height;
  }
  // Rounding can exceed the image by one pixel on tiny images; torchvision would then fail at crop time, we clamp.
  w = Math.max(1, Math.min(width, w));
  h = Math.max(1, Math.min(height, h));
  return { box: { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), w, h }, fallback: true };
}
