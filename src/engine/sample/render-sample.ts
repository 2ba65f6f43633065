// Draws one sample-dataset image and its object mask: shapes of one class, equal in area across classes, on a smooth background.
import { SeededRng } from '../util/seeded-rng';
import { SAMPLE_CLASSES, SHAPE_AREA, shapeDistance, type SampleClass } from './shape-sdf';
import { BACKGROUND_KINDS, drawBackground, type BackgroundKind, type BackgroundSpec, type Rgb } from './background';
import { FILL_PATTERNS, patternDistance, type FillPattern } from './fill-pattern';

/** One drawn shape: centre (px), circumscribed radius (px), rotation (rad) and colour. */
export interface SampleObject {
  cx: number;
  cy: number;
  radius: number;
  rotation: number;
  color: Rgb;
  /** Pattern style only: the outline drawn (any of the six shapes, whatever the class) and its fill. */
  outline?: SampleClass;
  fill?: { pattern: FillPattern; period: number; angle: number; paper: Rgb };
}

export interface SampleSpec {
  cls: SampleClass;
  width: number;
  height: number;
  background: BackgroundSpec;
  objects: SampleObject[];
  /** Amplitude of the per-pixel sensor noise (0..255 scale). */
  grain: number;
  /** Key of the per-image random stream (background noise and grain). */
  key: number[];
}

/** How the generator draws (the dataset uses SAMPLE_STYLE; experiments may vary it). */
export interface SampleStyle {
  /** Objects per image, inclusive range. */
  objects: [number, number];
  /** Share of the image area all objects together cover, uniform in this range (same for every class). */
  areaShare: [number, number];
  /** Minimum RGB distance between an object's colour and every background colour. */
  minSeparation: number;
  /** Largest RGB distance between the two colours of a gradient or noise background (kept low: smooth, not textured). */
  maxBackgroundContrast: number;
  /**
   * 'random': any RGB colour; 'grey': near-grey colours (a small random tint); 'ink': dark near-grey shapes on a light
   * near-grey ground, so colour tells neither the class nor the image; 'shared': grounds from SHARED_GROUNDS and each
   * object's colour from SHARED_INKS, the same few colours for every class and image.
   */
  palette: 'random' | 'grey' | 'ink' | 'shared';
  /** Background kinds drawn from (default all of BACKGROUND_KINDS). */
  backgrounds?: readonly BackgroundKind[];
  /**
   * 'solid' (default): the class is the object's shape, filled with one colour. 'pattern': the class is the texture
   * inside the object (FILL_PATTERNS, in class order), ink and paper from SHARED_INKS, under a random outline.
   */
  fill?: 'solid' | 'pattern';
  /** 'shared' palette: colours to use instead of SHARED_GROUNDS / SHARED_INKS (ink and paper of patterns come from inks). */
  grounds?: readonly Rgb[];
  inks?: readonly Rgb[];
  /** Pattern style: the pattern's period in pixels of the source image, uniform in this range. */
  period?: [number, number];
  /** Largest rotation of an object away from upright, in radians (default: any rotation, a full turn). */
  maxRotation?: number;
}

/** The 'shared' palette: grounds and object colours every class uses alike; each object draws its own colour, so no colour names an image or a class. */
export const SHARED_GROUNDS: readonly Rgb[] = [
  [236, 232, 222],
  [200, 204, 210],
  [60, 64, 72],
];
export const SHARED_INKS: readonly Rgb[] = [
  [214, 48, 49],
  [9, 132, 227],
  [253, 203, 60],
  [0, 168, 112],
  [30, 30, 30],
  [250, 250, 250],
];

export const SAMPLE_STYLE: SampleStyle = { objects: [1, 1], areaShare: [0.1, 0.25], minSeparation: 120, maxBackgroundContrast: 60, palette: 'random' };

function colourOf(rng: SeededRng, palette: SampleStyle['palette'], role: 'ground' | 'object', style?: SampleStyle): Rgb {
  if (palette === 'shared') {
    const list = role === 'ground' ? (style?.grounds ?? SHARED_GROUNDS) : (style?.inks ?? SHARED_INKS);
    return [...list[rng.int(list.length)]!] as Rgb;
  }
  if (palette === 'random') return [rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)];
  const l = palette === 'grey' ? rng.uniform(0, 255) : role === 'ground' ? rng.uniform(195, 250) : rng.uniform(15, 85);
  const t = () => Math.min(255, Math.max(0, l + rng.uniform(-8, 8)));
  return [t(), t(), t()];
}

/** Distance from colour c to the RGB segment between a and b (every background pixel lies on it, before grain). */
export function distanceToSegment(c: Rgb, a: Rgb, b: Rgb): number {
  const e = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const w = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
  const ee = e[0]! ** 2 + e[1]! ** 2 + e[2]! ** 2;
  const t = ee > 0 ? Math.min(1, Math.max(0, (w[0]! * e[0]! + w[1]! * e[1]! + w[2]! * e[2]!) / ee)) : 0;
  return Math.hypot(w[0]! - e[0]! * t, w[1]! - e[1]! * t, w[2]! - e[2]! * t);
}

/** Draw the random parameters of the image keyed `key` of class `cls` (a pure function of the key and style). */
export function drawSampleSpec(cls: SampleClass, key: number[], style: SampleStyle = SAMPLE_STYLE): SampleSpec {
  const rng = new SeededRng(...key, 1);
  const width = 160 + 16 * rng.int(11); // 160..320
  const height = 160 + 16 * rng.int(11);
  const kinds = style.backgrounds ?? BACKGROUND_KINDS;
  const kind = kinds[rng.int(kinds.length)]!;
  const a = colourOf(rng, style.palette, 'ground', style);
  let b: Rgb = a;
  if (kind !== 'plain') {
    do b = colourOf(rng, style.palette, 'ground', style);
    while (Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) > style.maxBackgroundContrast);
  }
  const background: BackgroundSpec = { kind, a, b, angle: rng.uniform(0, 2 * Math.PI), period: rng.uniform(40, 90) };
  const count = style.objects[0] + rng.int(style.objects[1] - style.objects[0] + 1);
  const share = rng.uniform(style.areaShare[0], style.areaShare[1]) / count;
  const patterned = style.fill === 'pattern';
  const outline = patterned ? SAMPLE_CLASSES[rng.int(SAMPLE_CLASSES.length)]! : cls;
  // Equal area for every class: the radius follows from the share of the image this object covers.
  const radius = Math.min(Math.sqrt((share * width * height) / SHAPE_AREA[outline]), Math.min(width, height) / 2 - 3);
  const objects: SampleObject[] = [];
  for (let k = 0; k < count; k++) {
    let color: Rgb;
    do color = colourOf(rng, style.palette, 'object', style);
    while (distanceToSegment(color, a, b) < style.minSeparation);
    let fill: SampleObject['fill'];
    if (patterned) {
      let paper: Rgb;
      do paper = colourOf(rng, 'shared', 'object', style);
      while (Math.hypot(paper[0] - color[0], paper[1] - color[1], paper[2] - color[2]) < style.minSeparation);
      const [p0, p1] = style.period ?? [12, 24];
      fill = { pattern: FILL_PATTERNS[SAMPLE_CLASSES.indexOf(cls)]!, period: rng.uniform(p0, p1), angle: rng.uniform(0, 2 * Math.PI), paper };
    }
    // Place without overlap (circumscribed circles apart); after many tries accept the last (overlap only merges masks).
    let cx = 0;
    let cy = 0;
    for (let t = 0; t < 200; t++) {
      cx = rng.uniform(radius + 2, width - radius - 2);
      cy = rng.uniform(radius + 2, height - radius - 2);
      if (objects.every((o) => Math.hypot(o.cx - cx, o.cy - cy) > o.radius + radius + 2)) break;
    }
    objects.push({ cx, cy, radius, rotation: style.maxRotation === undefined ? rng.uniform(0, 2 * Math.PI) : rng.uniform(-style.maxRotation, style.maxRotation), color, ...(fill ? { outline, fill } : {}) });
  }
  return { cls, width, height, background, objects, grain: rng.uniform(2, 6), key };
}

export interface RenderedSample {
  /** Interleaved 8-bit RGB (width*height*3). */
  rgb: Buffer;
  /** Object coverage per pixel, 0 (background) .. 255 (inside an object), anti-aliased over one pixel. */
  mask: Buffer;
}

/** Rasterise a spec into RGB and its object mask. */
export function renderSample(spec: SampleSpec): RenderedSample {
  const { width, height } = spec;
  const rng = new SeededRng(...spec.key, 2);
  const rgb = new Float32Array(width * height * 3);
  const cover = new Float32Array(width * height);
  drawBackground(rgb, width, height, spec.background, rng);
  for (const obj of spec.objects) {
    const { cx, cy, radius, rotation, fill } = obj;
    const shape = obj.outline ?? spec.cls;
    const cos = Math.cos(-rotation);
    const sin = Math.sin(-rotation);
    const pc = fill ? Math.cos(-fill.angle) : 1;
    const ps = fill ? Math.sin(-fill.angle) : 0;
    let color = obj.color;
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
        const d = shapeDistance(shape, ux, uy) * radius; // pixels
        const c = d <= -0.5 ? 1 : d >= 0.5 ? 0 : 0.5 - d;
        if (c === 0) continue;
        if (fill) {
          const e = patternDistance(fill.pattern, dx * pc - dy * ps, dx * ps + dy * pc, fill.period);
          const ink = e <= -0.5 ? 1 : e >= 0.5 ? 0 : 0.5 - e;
          const q = fill.paper;
          const k = obj.color;
          color = [q[0] + (k[0] - q[0]) * ink, q[1] + (k[1] - q[1]) * ink, q[2] + (k[2] - q[2]) * ink];
        }
        const p = y * width + x;
        const o = 3 * p;
        rgb[o] = rgb[o]! + (color[0] - rgb[o]!) * c;
        rgb[o + 1] = rgb[o + 1]! + (color[1] - rgb[o + 1]!) * c;
        rgb[o + 2] = rgb[o + 2]! + (color[2] - rgb[o + 2]!) * c;
        cover[p] = Math.max(cover[p]!, c);
      }
    }
  }
  const out = Buffer.allocUnsafe(rgb.length);
  const g = spec.grain;
  for (let i = 0; i < rgb.length; i++) {
    const v = rgb[i]! + (rng.next() * 2 - 1) * g;
    out[i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
  }
  const mask = Buffer.allocUnsafe(cover.length);
  for (let i = 0; i < cover.length; i++) mask[i] = Math.round(cover[i]! * 255);
  return { rgb: out, mask };
}

export { SAMPLE_CLASSES };
