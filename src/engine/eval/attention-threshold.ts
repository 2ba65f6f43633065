// The threshold view of visualize_attention.py: per head, the smallest set of patches holding fraction t of the attention mass.

/**
 * visualize_attention.py: sort the head's attention ascending, normalise by its sum, cumulative sum,
 * keep the patches whose cumulative value exceeds 1 - t, and map back to patch order.
 * Returns 1 for a kept patch, 0 otherwise, in the input's patch order.
 */
export function thresholdMask(attention: ArrayLike<number>, threshold: number): Uint8Array {
  const n = attention.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => attention[a]! - attention[b]! || a - b);
  let total = 0;
  for (let i = 0; i < n; i++) total += attention[i]!;
  const mask = new Uint8Array(n);
  let cum = 0;
  for (const i of order) {
    cum += attention[i]! / total;
    if (cum > 1 - threshold) mask[i] = 1;
  }
  return mask;
}

/** Fraction of the head's attention mass inside a mask (what the threshold view promises to be >= t). */
export function maskedMass(attention: ArrayLike<number>, mask: Uint8Array): number {
  let inside = 0;
  let total = 0;
  for (let i = 0; i < attention.length; i++) {
    total += attention[i]!;
    if (mask[i]) inside += attention[i]!;
  }
  return total > 0 ? inside / total : 0;
}
