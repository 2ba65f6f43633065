// Fill patterns for the sample dataset's pattern style: six periodic textures of equal ink coverage (about half), as signed distances in pixels.

export const FILL_PATTERNS = ['stripes', 'dots', 'checks', 'grid', 'rings', 'zigzag'] as const;
export type FillPattern = (typeof FILL_PATTERNS)[number];

const mod = (a: number, p: number) => a - p * Math.floor(a / p);

/**
 * Signed distance (pixels, negative = ink) of the pattern at (x, y), given in the pattern's own frame (already rotated
 * and measured from the object's centre) with period p. Every pattern inks about half of its area, so the mean colour
 * of a filled object does not depend on the pattern.
 */
export function patternDistance(pattern: FillPattern, x: number, y: number, p: number): number {
  switch (pattern) {
    case 'stripes':
      return Math.abs(mod(x, p) - p / 2) - p / 4;
    case 'dots':
      return Math.hypot(mod(x, p) - p / 2, mod(y, p) - p / 2) - 0.4 * p;
    case 'checks': {
      const u = mod(x, p);
      const v = mod(y, p);
      const edge = Math.min(Math.abs(u - p / 2), Math.min(u, p - u), Math.abs(v - p / 2), Math.min(v, p - v));
      return (u < p / 2) === (v < p / 2) ? -edge : edge;
    }
    case 'grid':
      return Math.min(Math.abs(mod(x, p) - p / 2), Math.abs(mod(y, p) - p / 2)) - 0.146 * p;
    case 'rings':
      return Math.abs(mod(Math.hypot(x, y), p) - p / 2) - p / 4;
    case 'zigzag': {
      const t = mod(y, p) / p; // triangle wave in y shifts the stripes in x
      const shift = (t < 0.5 ? t : 1 - t) * p;
      return Math.abs(mod(x + shift, p) - p / 2) - p / 4;
    }
  }
}
