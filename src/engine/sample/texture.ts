// Textured backgrounds of the sample dataset (gradient, smooth noise, stripes, checkers) rasterised into an RGB buffer.
import type { SeededRng } from '../util/seeded-rng';

export const TEXTURE_KINDS = ['gradient', 'noise', 'stripes', 'checkers'] as const;
export type TextureKind = (typeof TEXTURE_KINDS)[number];

export type Rgb = [number, number, number];

export interface TextureSpec {
  kind: TextureKind;
  a: Rgb;
  b: Rgb;
  angle: number; // radians (gradient, stripes, checkers orientation)
  period: number; // pixels (stripes, checkers, noise cell)
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

/** Fill `rgb` (width*height*3 floats 0..255) with the texture: every pixel is a mix of colours a and b. */
export function drawTexture(rgb: Float32Array, width: number, height: number, spec: TextureSpec, rng: SeededRng): void {
  const { a, b, angle, period } = spec;
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);
  const diag = Math.hypot(width, height);
  const noise = spec.kind === 'noise' ? valueNoise(width, height, period, rng) : null;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let t: number;
      const u = x * ca + y * sa;
      switch (spec.kind) {
        case 'gradient':
          t = 0.5 + u / diag;
          break;
        case 'noise':
          t = noise![y * width + x]!;
          break;
        case 'stripes':
          t = 0.5 + 0.5 * Math.sin((2 * Math.PI * u) / period);
          break;
        case 'checkers': {
          const v = -x * sa + y * ca;
          const parity = (Math.floor(u / period) + Math.floor(v / period)) & 1;
          t = parity ? 0.85 : 0.15;
          break;
        }
      }
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const o = 3 * (y * width + x);
      rgb[o] = a[0] + (b[0] - a[0]) * t;
      rgb[o + 1] = a[1] + (b[1] - a[1]) * t;
      rgb[o + 2] = a[2] + (b[2] - a[2]) * t;
    }
  }
}
