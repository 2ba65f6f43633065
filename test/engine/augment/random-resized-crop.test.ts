// RandomResizedCrop: torchvision semantics checked statistically (area and log-aspect distributions) and on fallbacks.
import { describe, expect, it } from 'vitest';
import { roundHalfEven, sampleResizedCrop } from '../../../src/engine/augment/random-resized-crop';
import { SeededRng } from '../../../src/engine/util/seeded-rng';
import { ksCritical, ksDistance } from './stat-tests';

const RATIO = [3 / 4, 4 / 3] as const;
const N = 4000;

function draws(width: number, height: number, scale: readonly [number, number], ratio: readonly [number, number] = RATIO) {
  return Array.from({ length: N }, (_, k) => sampleResizedCrop(new SeededRng(11, k), width, height, scale, ratio));
}

describe('roundHalfEven (Python round)', () => {
  it('rounds ties to even like Python 3', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4999, 2.5001, 3].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3, 3]);
  });
});

describe('sampleResizedCrop', () => {
  it('local views on a large square image: area fraction uniform in (0.05, 0.4), log-aspect uniform, no fallback', () => {
    const W = 4000;
    const d = draws(W, W, [0.05, 0.4]);
    expect(d.every((x) => !x.fallback)).toBe(true);
    const area = d.map((x) => (x.box.w * x.box.h) / (W * W));
    expect(ksDistance(area, (a) => Math.min(1, Math.max(0, (a - 0.05) / 0.35)))).toBeLessThan(ksCritical(N));
    const lo = Math.log(3 / 4);
    const hi = Math.log(4 / 3);
    const la = d.map((x) => Math.log(x.box.w / x.box.h));
    expect(ksDistance(la, (v) => Math.min(1, Math.max(0, (v - lo) / (hi - lo))))).toBeLessThan(ksCritical(N));
    // positions: uniform over the valid offsets, so the box centre's x is symmetric around the middle
    const cx = d.map((x) => (x.box.x + x.box.w / 2) / W);
    expect(Math.abs(cx.reduce((s, v) => s + v, 0) / N - 0.5)).toBeLessThan(0.02);
    for (const x of d) {
      expect(x.box.x).toBeGreaterThanOrEqual(0);
      expect(x.box.x + x.box.w).toBeLessThanOrEqual(W);
      expect(x.box.y + x.box.h).toBeLessThanOrEqual(W);
    }
  });

  it('global views on a square image follow the accepted region of (area, aspect): f <= min(r, 1/r)', () => {
    const W = 3000;
    const d = draws(W, W, [0.4, 1.0]);
    // Rejection sampling keeps (f, log r) uniform on the region where the box fits; P(fallback) = P(10 rejections).
    // Expected CDF of the area fraction given acceptance, by numerical integration over log r.
    const lo = Math.log(3 / 4);
    const hi = Math.log(4 / 3);
    const steps = 2000;
    const accepted = (a: number) => {
      let s = 0;
      for (let k = 0; k < steps; k++) {
        const lr = lo + ((k + 0.5) / steps) * (hi - lo);
        const fmax = Math.min(Math.exp(lr), Math.exp(-lr));
        s += Math.max(0, Math.min(a, fmax) - 0.4);
      }
      return s;
    };
    const total = accepted(1);
    const ok = d.filter((x) => !x.fallback);
    const area = ok.map((x) => (x.box.w * x.box.h) / (W * W));
    expect(ksDistance(area, (a) => accepted(a) / total)).toBeLessThan(ksCritical(ok.length));
    // one try is accepted with probability total / (0.6 * steps); ten rejections in a row are rare
    const pReject = 1 - total / (0.6 * steps);
    expect(d.filter((x) => x.fallback).length / N).toBeLessThan(Math.pow(pReject, 10) * 4 + 0.002);
  });

  it('falls back to the centre crop with the ratio clamped on extreme images', () => {
    for (const x of draws(4000, 60, [0.4, 1.0]).slice(0, 200)) {
      expect(x.fallback).toBe(true);
      expect(x.box).toEqual({ x: 1960, y: 0, w: 80, h: 60 }); // w = round(60 * 4/3)
    }
    for (const x of draws(60, 4000, [0.4, 1.0]).slice(0, 200)) {
      expect(x.fallback).toBe(true);
      expect(x.box).toEqual({ x: 0, y: 1960, w: 60, h: 80 }); // h = round(60 / (3/4))
    }
    // a tiny 20x15 image: local crops fit sometimes; every box stays inside
    for (const x of draws(20, 15, [0.05, 0.4])) {
      expect(x.box.w).toBeGreaterThan(0);
      expect(x.box.x + x.box.w).toBeLessThanOrEqual(20);
      expect(x.box.y + x.box.h).toBeLessThanOrEqual(15);
    }
  });

  it('whole image when its ratio is inside the range and nothing fits', () => {
    const x = sampleResizedCrop(new SeededRng(1), 1, 1, [0.01, 0.1], RATIO); // w = round(sqrt(<= 0.134)) = 0 every try
    expect(x).toEqual({ box: { x: 0, y: 0, w: 1, h: 1 }, fallback: true });
  });
});
