// Statistical helpers for the augmentation tests: Kolmogorov-Smirnov distance and binomial tolerance.

/** KS distance between the samples' empirical CDF and `cdf`. */
export function ksDistance(samples: readonly number[], cdf: (x: number) => number): number {
  const xs = [...samples].sort((a, b) => a - b);
  const n = xs.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(xs[i]!);
    d = Math.max(d, Math.abs((i + 1) / n - f), Math.abs(f - i / n));
  }
  return d;
}

/** KS critical distance at significance 0.001 for n samples (asymptotic). */
export function ksCritical(n: number): number {
  return 1.95 / Math.sqrt(n);
}

/** Whether `hits` of `n` trials is compatible with rate p (within 4.5 standard deviations). */
export function rateMatches(hits: number, n: number, p: number): boolean {
  const sd = Math.sqrt(n * p * (1 - p));
  return Math.abs(hits - n * p) <= 4.5 * sd + 1e-9;
}
