// Colour ops against torchvision golden values, and the PIL-style Gaussian blur against the properties of a Gaussian.
import { describe, expect, it } from 'vitest';
import { describeShared } from '../../support/shared-suite';
import * as ops from '../../../src/engine/augment/color-ops';
import { boxRadiusForSigma, gaussianBlur } from '../../../src/engine/augment/gaussian-blur';
import { HAS_SHARED, SKIP_SHARED_REASON, loadGolden } from '../../support/shared-fixtures';

interface ColorGolden {
  image_chw: number[];
  shape: [number, number, number];
  [key: string]: unknown;
}

describeShared(`colour ops vs torchvision golden values${HAS_SHARED ? '' : ` (${SKIP_SHARED_REASON})`}`, () => {
  const g = () => loadGolden<{ color_ops: ColorGolden }>().color_ops;
  const cases: [string, (a: Float32Array, n: number) => void][] = [
    ['adjust_brightness_1.3', (a, n) => ops.adjustBrightness(a, n, 1.3)],
    ['adjust_contrast_0.7', (a, n) => ops.adjustContrast(a, n, 0.7)],
    ['adjust_saturation_1.2', (a, n) => ops.adjustSaturation(a, n, 1.2)],
    ['adjust_hue_0.08', (a, n) => ops.adjustHue(a, n, 0.08)],
    ['adjust_hue_-0.1', (a, n) => ops.adjustHue(a, n, -0.1)],
    ['rgb_to_grayscale_3ch', (a, n) => ops.toGrayscale(a, n)],
    ['solarize_0.5', (a, n) => ops.solarize(a, n, 0.5)],
    ['normalize_imagenet', (a, n) => ops.normalizeInto(a, n, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], a, 0)],
  ];
  for (const [key, f] of cases) {
    it(key, () => {
      const golden = g();
      const n = golden.shape[1] * golden.shape[2];
      const a = Float32Array.from(golden.image_chw);
      f(a, n);
      const want = golden[key] as number[];
      expect(want.length).toBe(a.length);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - want[i]!));
      expect(worst).toBeLessThan(1e-5);
    });
  }
});

describe('Gaussian blur (Pillow extended box blur, 3 passes)', () => {
  it('has unit mass and variance sigma^2 along each axis, and nothing beyond its support but float32 noise', () => {
    for (const sigma of [0.1, 0.5, 1.0, 1.7, 2.0, 5.0]) {
      const S = 101;
      const img = new Float32Array(S * S);
      img[50 * S + 50] = 1;
      gaussianBlur(img, S, S, sigma, 1);
      // 3 extended boxes of integer radius l reach 3 * (l + 1) pixels; outside, only running-sum rounding remains
      const support = 3 * (Math.floor(boxRadiusForSigma(sigma)) + 1);
      let mass = 0;
      let varX = 0;
      let varY = 0;
      let farField = 0;
      for (let y = 0; y < S; y++)
        for (let x = 0; x < S; x++) {
          const v = img[y * S + x]!;
          if (Math.abs(x - 50) > support || Math.abs(y - 50) > support) {
            farField = Math.max(farField, Math.abs(v));
            continue;
          }
          mass += v;
          varX += v * (x - 50) ** 2;
          varY += v * (y - 50) ** 2;
        }
      expect(mass).toBeCloseTo(1, 5);
      expect(varX).toBeCloseTo(sigma * sigma, 3);
      expect(varY).toBeCloseTo(sigma * sigma, 3);
      expect(farField).toBeLessThan(1e-6);
    }
  });

  it('matches Pillow box radii and leaves constant images unchanged', () => {
    // Pillow _gaussian_blur_radius(2.0, 3): sigma2 = 4/3, L = sqrt(17), l = 1, a = 3 * (2 - 4) / (6 * (4/3 - 4))
    expect(boxRadiusForSigma(2.0)).toBeCloseTo(1 + (3 * (2 - 4)) / (6 * (4 / 3 - 4)), 12);
    const img = new Float32Array(3 * 20 * 15).fill(0.3);
    gaussianBlur(img, 20, 15, 1.9);
    for (const v of img) expect(v).toBeCloseTo(0.3, 6);
  });
});

describe('applyColourOps', () => {
  it('blurs a grayscale view once for all three planes with the same result as blurring each plane', async () => {
    const { applyColourOps } = await import('../../../src/engine/augment/apply-view-ops');
    const { RECIPE_DEFAULTS, augmentPart } = await import('../../../src/shared/config-schema');
    const size = 17;
    const n = size * size;
    const img = Float32Array.from({ length: 3 * n }, (_, i) => ((i * 7919) % 255) / 255);
    const expected = img.slice();
    ops.toGrayscale(expected, n);
    gaussianBlur(expected, size, size, 1.3);
    const got = img.slice();
    const viewOps = { flip: false, jitter: null, grayscale: true, blurSigma: 1.3, solarize: false, fallback: false };
    applyColourOps(got, size, viewOps, augmentPart(RECIPE_DEFAULTS));
    expect(Array.from(got)).toEqual(Array.from(expected));
  });
});
