// Test support for leak tests: resident memory after a forced full GC, and a robust (Theil-Sen) slope of a series.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** RSS in MB after two full collections (so garbage waiting for the collector is not counted as growth). */
export function settledRssMb(): number {
  gc();
  gc();
  return process.memoryUsage().rss / 2 ** 20;
}

/** Theil-Sen slope of y over x: the median of all pairwise slopes, so one noisy sample cannot fake or hide a trend. */
export function slope(xs: number[], ys: number[]): number {
  const s: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) if (xs[j] !== xs[i]) s.push((ys[j]! - ys[i]!) / (xs[j]! - xs[i]!));
  }
  s.sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
