// Smooth backgrounds of the sample dataset (plain, linear gradient, soft low-contrast noise) rasterised into an RGB buffer.
import type { SeededRng } from '../util/seeded-rng';

export const BACKGROUND_KINDS = ['plain', 'gradient', 'soft-noise'] as const;
export type BackgroundKind = (typeof BACKGROUND_KINDS)[number];

export type Rgb = [number, number, number];

export interface BackgroundSpec {
  kind: BackgroundKind;
  /** Every background pixel is a mix of colours a and b (a only, for 'plain'). */
  a: Rgb;
  b: Rgb;
  /** Gradient direction (radians). */
  angle: number;
  /** Noise cell size in pixels ('soft-noise'). */
  period: number;
}

/** Smooth value noise in [0, 1]: a random lattice with cell `period`, smoothstep-weighted bilinear interpolation. */
function valueNoise(width: number, height: number, period: number, rng: SeededRng): Float32Array {
  const gw = Math.ceil(width / period) + 2;
  const gh = Math.ceil(height / period) + 2;
  const grid = new Float32Array(gw * gh);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.next();
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const gy = y / period;
    const y0 = Math.floor(gy);
    let ty = gy - y0;
    ty = ty * ty * (3 - 2 * ty);
    for (let x = 0; x < width; x++) {
      const gx = x / period;
      const x0 = Math.floor(gx);
      let tx = gx - x0;
      tx = tx * tx * (3 - 2 * tx);
      const i = y0 * gw + x0;
      const top = grid[i]! + (grid[i + 1]! - grid[i]!) * tx;
      const bot = grid[i + gw]! + (grid[i + gw + 1]! - grid[i + gw]!) * tx;
      out[y * width + x] = top + (bot - top) * ty;
    }
  }
  return out;
}

/** Fill `rgb` (width*height*3 floats 0..255) with the background. */
export function drawBackground(rgb: Float32Array, width: number, height: number, spec: BackgroundSpec, rng: SeededRng): void {
  const { a, b, angle, period } = spec;
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);
  const diag = Math.hypot(width, height);
  const noise = spec.kind === 'soft-noise' ? valueNoise(width, height, period, rng) : null;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let t: number;
      switch (spec.kind) {
        case 'plain':
          t = 0;
          break;
        case 'gradient':
          t = 0.5 + (x * ca + y * sa - (width * ca + height * sa) / 2) / diag;
          break;
        case 'soft-noise':
          t = noise![y * width + x]!;
          break;
      }
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const o = 3 * (y * width + x);
      rgb[o] = a[0] + (b[0] - a[0]) * t;
      rgb[o + 1] = a[1] + (b[1] - a[1]) * t;
      rgb[o + 2] = a[2] + (b[2] - a[2]) * t;
    }
  }
}
