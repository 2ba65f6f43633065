// Draws one sample-dataset image: a randomly placed, sized, rotated and coloured shape on a textured background.
import { SeededRng } from '../util/seeded-rng';
import { SAMPLE_CLASSES, shapeDistance, type SampleClass } from './shape-sdf';
import { TEXTURE_KINDS, drawTexture, type Rgb, type TextureSpec } from './texture';

export interface SampleSpec {
  cls: SampleClass;
  width: number;
  height: number;
  texture: TextureSpec;
  /** Shape centre (px), circumscribed radius (px), rotation (rad) and colour. */
  cx: number;
  cy: number;
  radius: number;
  rotation: number;
  color: Rgb;
  /** Amplitude of the per-pixel sensor noise (0..255 scale). */
  grain: number;
  /** Key of the per-image random stream (texture noise and grain). */
  key: number[];
}

/** Minimum RGB distance between the shape colour and every colour of the background mix. */
export const MIN_COLOR_SEPARATION = 150;

function randomColor(rng: SeededRng): Rgb {
  return [rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)];
}

/** Distance from colour c to the RGB segment between a and b (every background pixel lies on it, before grain). */
export function distanceToSegment(c: Rgb, a: Rgb, b: Rgb): number {
  const e = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const w = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
  const ee = e[0]! ** 2 + e[1]! ** 2 + e[2]! ** 2;
  const t = ee > 0 ? Math.min(1, Math.max(0, (w[0]! * e[0]! + w[1]! * e[1]! + w[2]! * e[2]!) / ee)) : 0;
  return Math.hypot(w[0]! - e[0]! * t, w[1]! - e[1]! * t, w[2]! - e[2]! * t);
}

/** Draw the random parameters of image `index` of class `cls` (a pure function of the key). */
export function drawSampleSpec(cls: SampleClass, key: number[]): SampleSpec {
  const rng = new SeededRng(...key, 1);
  const width = 160 + 16 * rng.int(11); // 160..320
  const height = 160 + 16 * rng.int(11);
  const short = Math.min(width, height);
  const radius = short * rng.uniform(0.2, 0.42);
  const margin = radius + 3;
  const cx = rng.uniform(margin, width - margin);
  const cy = rng.uniform(margin, height - margin);
  const rotation = rng.uniform(0, 2 * Math.PI);
  const kind = TEXTURE_KINDS[rng.int(TEXTURE_KINDS.length)]!;
  let a: Rgb;
  let b: Rgb;
  let color: Rgb;
  // Rejection-sample the three colours until the shape stands out from every background colour.
  for (;;) {
    a = randomColor(rng);
    b = randomColor(rng);
    const ab = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    if (ab < 40 || ab > 200) continue; // a visible but not overpowering texture
    let found: Rgb | null = null;
    for (let t = 0; t < 20 && !found; t++) {
      const c = randomColor(rng);
      if (distanceToSegment(c, a, b) >= MIN_COLOR_SEPARATION) found = c;
    }
    if (found) {
      color = found;
      break;
    }
  }
  const texture: TextureSpec = {
    kind,
    a,
    b,
    angle: rng.uniform(0, Math.PI),
    period: kind === 'noise' ? rng.uniform(12, 40) : kind === 'gradient' ? 1 : rng.uniform(8, 28),
  };
  return { cls, width, height, texture, cx, cy, radius, rotation, color, grain: rng.uniform(2, 8), key };
}

/** Rasterise a spec into interleaved 8-bit RGB (width*height*3), anti-aliased over one pixel. */
export function renderSample(spec: SampleSpec): Buffer {
  const { width, height, cx, cy, radius, rotation, color } = spec;
  const rng = new SeededRng(...spec.key, 2);
  const rgb = new Float32Array(width * height * 3);
  drawTexture(rgb, width, height, spec.texture, rng);
  const cos = Math.cos(-rotation);
  const sin = Math.sin(-rotation);
  const reach = radius * 1.1 + 2;
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(width - 1, Math.ceil(cx + reach));
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(height - 1, Math.ceil(cy + reach));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const ux = (dx * cos - dy * sin) / radius;
      const uy = (dx * sin + dy * cos) / radius;
      const d = shapeDistance(spec.cls, ux, uy) * radius; // pixels
      const cover = d <= -0.5 ? 1 : d >= 0.5 ? 0 : 0.5 - d;
      if (cover === 0) continue;
      const o = 3 * (y * width + x);
      rgb[o] = rgb[o]! + (color[0] - rgb[o]!) * cover;
      rgb[o + 1] = rgb[o + 1]! + (color[1] - rgb[o + 1]!) * cover;
      rgb[o + 2] = rgb[o + 2]! + (color[2] - rgb[o + 2]!) * cover;
    }
  }
  const out = Buffer.allocUnsafe(rgb.length);
  const g = spec.grain;
  for (let i = 0; i < rgb.length; i++) {
    const v = rgb[i]! + (rng.next() * 2 - 1) * g;
    out[i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
  }
  return out;
}

export { SAMPLE_CLASSES };
