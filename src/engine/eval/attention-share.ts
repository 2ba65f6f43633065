// Share of the last block's CLS attention that falls on an object: attention over the patches weighted by each patch's object coverage.

export interface AttentionShare {
  /** Mean over images of the attention-weighted object coverage, averaged over heads (0..1). */
  mean: number;
  /** The same per head. */
  perHead: number[];
  /** Mean over images of the object's share of the patches (the value attention spread evenly would give). */
  objectShare: number;
  images: number;
}

/**
 * `attention` is [n, heads, patches] (CLS-to-patch rows of the last block, as visualize_attention.py takes them);
 * each head's row is renormalised over the patches, then weighted by `coverage[i]` (per patch, 0..1).
 */
export function attentionShare(attention: Float32Array, heads: number, patches: number, coverage: Float32Array[]): AttentionShare {
  const n = coverage.length;
  if (attention.length !== n * heads * patches) throw new Error(`attention share: ${attention.length} values do not match ${n} images x ${heads} heads x ${patches} patches`);
  const perHead = new Array<number>(heads).fill(0);
  let objectShare = 0;
  for (let i = 0; i < n; i++) {
    const cov = coverage[i]!;
    if (cov.length !== patches) throw new Error(`attention share: image ${i} has coverage for ${cov.length} patches, not ${patches}`);
    let c = 0;
    for (let p = 0; p < patches; p++) c += cov[p]!;
    objectShare += c / patches;
    for (let h = 0; h < heads; h++) {
      const o = (i * heads + h) * patches;
      let sum = 0;
      let on = 0;
      for (let p = 0; p < patches; p++) {
        sum += attention[o + p]!;
        on += attention[o + p]! * cov[p]!;
      }
      perHead[h]! += sum > 0 ? on / sum : 0;
    }
  }
  const ph = perHead.map((v) => (n ? v / n : 0));
  return { mean: ph.reduce((s, v) => s + v, 0) / Math.max(heads, 1), perHead: ph, objectShare: n ? objectShare / n : 0, images: n };
}
