// The recipe's per-view random draws: rates of flip, jitter, grayscale, blur and solarize, jitter factor ranges, determinism.
import { describe, expect, it } from 'vitest';
import { drawImageViews, viewSpecs } from '../../../src/engine/augment/view-plan';
import { RECIPE_DEFAULTS, augmentPart } from '../../../src/shared/config-schema';
import { ksCritical, ksDistance, rateMatches } from './stat-tests';

const C = augmentPart(RECIPE_DEFAULTS);
const IMAGES = 3000;

describe('view plan (the views of docs/recipe.md)', () => {
  const all = Array.from({ length: IMAGES }, (_, i) => drawImageViews(C, 7, 0, i, 500, 375));

  it('lists 2 globals then the locals with the recipe sizes and probabilities', () => {
    const s = viewSpecs(C);
    expect(s.map((v) => v.name)).toEqual(['global 1', 'global 2', ...Array.from({ length: 8 }, (_, i) => `local ${i + 1}`)]);
    expect(s.map((v) => v.size)).toEqual([224, 224, 96, 96, 96, 96, 96, 96, 96, 96]);
    expect(s.map((v) => v.blurProb)).toEqual([1, 0.1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(s.map((v) => v.solarizeProb)).toEqual([0, 0.2, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('draws flip 0.5, jitter 0.8 and grayscale 0.2 on every view', () => {
    const views = all.flat();
    const n = views.length;
    expect(rateMatches(views.filter((v) => v.ops.flip).length, n, 0.5)).toBe(true);
    expect(rateMatches(views.filter((v) => v.ops.jitter).length, n, 0.8)).toBe(true);
    expect(rateMatches(views.filter((v) => v.ops.grayscale).length, n, 0.2)).toBe(true);
  });

  it('draws blur and solarize at each view kind own rate', () => {
    const per = (v: number) => all.map((views) => views[v]!);
    const rate = (xs: ReturnType<typeof per>, f: (x: (typeof xs)[number]) => boolean, p: number) => expect(rateMatches(xs.filter(f).length, xs.length, p)).toBe(true);
    rate(per(0), (x) => x.ops.blurSigma !== null, 1.0);
    rate(per(1), (x) => x.ops.blurSigma !== null, 0.1);
    rate(per(1), (x) => x.ops.solarize, 0.2);
    rate(per(0), (x) => x.ops.solarize, 0);
    const locals = all.flatMap((views) => views.slice(2));
    rate(locals, (x) => x.ops.blurSigma !== null, 0.5);
    rate(locals, (x) => x.ops.solarize, 0);
    const sigmas = all.flat().flatMap((v) => (v.ops.blurSigma === null ? [] : [v.ops.blurSigma]));
    expect(ksDistance(sigmas, (s) => Math.min(1, Math.max(0, (s - 0.1) / 1.9)))).toBeLessThan(ksCritical(sigmas.length));
  });

  it('draws jitter factors uniformly in their ranges and the op order as a uniform permutation', () => {
    const j = all.flat().flatMap((v) => (v.ops.jitter ? [v.ops.jitter] : []));
    const uni = (xs: number[], lo: number, hi: number) => expect(ksDistance(xs, (x) => Math.min(1, Math.max(0, (x - lo) / (hi - lo))))).toBeLessThan(ksCritical(xs.length));
    uni(j.map((x) => x.brightness), 0.6, 1.4);
    uni(j.map((x) => x.contrast), 0.6, 1.4);
    uni(j.map((x) => x.saturation), 0.8, 1.2);
    uni(j.map((x) => x.hue), -0.1, 0.1);
    const counts = new Map<string, number>();
    for (const x of j) counts.set(x.order.join(','), (counts.get(x.order.join(',')) ?? 0) + 1);
    expect(counts.size).toBe(24);
    const e = j.length / 24;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(55); // chi-square, 23 degrees of freedom, p < 0.0003
  });

  it('is a pure function of (seed, epoch, image, view)', () => {
    expect(drawImageViews(C, 7, 0, 5, 500, 375)).toEqual(all[5]);
    expect(drawImageViews(C, 8, 0, 5, 500, 375)).not.toEqual(all[5]);
    expect(drawImageViews(C, 7, 1, 5, 500, 375)).not.toEqual(all[5]);
  });
});
