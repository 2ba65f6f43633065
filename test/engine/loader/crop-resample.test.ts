// Crop resampling: Pillow's antialiased bicubic weights (sum to 1, support scaled when shrinking), exact copies, flips.
import { describe, expect, it } from 'vitest';
import { cropResampleToPlanar, resampleCoeffs } from '../../../src/engine/loader/crop-resample';

function image(w: number, h: number): Uint8Array {
  const a = new Uint8Array(w * h * 3);
  for (let i = 0; i < a.length; i++) a[i] = (i * 37 + (i >> 5) * 11) & 255;
  return a;
}

describe('resampleCoeffs', () => {
  it('normalises each output weight row and widens the support with the downscale factor', () => {
    const up = resampleCoeffs(100, 10, 60, 96);
    const down = resampleCoeffs(1000, 0, 1000, 100);
    for (const c of [up, down]) {
      for (let o = 0; o < c.start.length; o++) {
        let s = 0;
        for (let k = 0; k < c.count[o]!; k++) s += c.weights[o * c.maxTaps + k]!;
        expect(s).toBeCloseTo(1, 5);
      }
    }
    expect(Math.max(...up.count)).toBeLessThanOrEqual(5); // bicubic support 2 -> 4-5 taps
    expect(Math.max(...down.count)).toBeGreaterThanOrEqual(40); // 10x shrink -> support 20 on each side
  });
});

describe('cropResampleToPlanar', () => {
  it('copies pixels exactly when the box has the output size (bicubic interpolates at the pixel centres)', () => {
    const W = 40;
    const H = 30;
    const src = image(W, H);
    const out = new Float32Array(3 * 16 * 16);
    cropResampleToPlanar(src, W, H, { x: 5, y: 7, w: 16, h: 16 }, 16, false, out, { tmp: new Float32Array(0) });
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 16; x++)
        for (let c = 0; c < 3; c++) expect(out[c * 256 + y * 16 + x]! * 255).toBeCloseTo(src[((y + 7) * W + x + 5) * 3 + c]!, 3);
  });

  it('mirrors columns when flipping, keeps constant images constant and stays in [0,1]', () => {
    const W = 50;
    const H = 41;
    const src = image(W, H);
    const a = new Float32Array(3 * 24 * 24);
    const b = new Float32Array(3 * 24 * 24);
    const box = { x: 3.5, y: 2.25, w: 37, h: 29 };
    cropResampleToPlanar(src, W, H, box, 24, false, a, { tmp: new Float32Array(0) });
    cropResampleToPlanar(src, W, H, box, 24, true, b, { tmp: new Float32Array(0) });
    for (let c = 0; c < 3; c++) for (let y = 0; y < 24; y++) for (let x = 0; x < 24; x++) expect(b[c * 576 + y * 24 + x]).toBe(a[c * 576 + y * 24 + 23 - x]);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThanOrEqual(1);
    const flat = new Uint8Array(W * H * 3).fill(77);
    cropResampleToPlanar(flat, W, H, box, 24, false, a, { tmp: new Float32Array(0) });
    for (const v of a) expect(v * 255).toBeCloseTo(77, 3);
  });
});
