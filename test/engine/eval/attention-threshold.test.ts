// The threshold view (visualize_attention.py): smallest patch set holding fraction t of a head's attention.
import { describe, expect, it } from 'vitest';
import { maskedMass, thresholdMask } from '../../../src/engine/eval/attention-threshold';
import { SeededRng } from '../../../src/engine/util/seeded-rng';

describe('thresholdMask', () => {
  it('matches a hand computation of sort / normalise / cumsum > 1 - t', () => {
    // Patch order: 0.3, 0.1, 0.4, 0.2 -> ascending 0.1 0.2 0.3 0.4 -> cumsum .1 .3 .6 1.0
    const att = [0.3, 0.1, 0.4, 0.2];
    expect(Array.from(thresholdMask(att, 0.6))).toEqual([1, 0, 1, 0]); // keep cum > 0.4: 0.3 and 0.4
    expect(Array.from(thresholdMask(att, 0.75))).toEqual([1, 0, 1, 1]); // keep cum > 0.25
    expect(Array.from(thresholdMask(att, 0.3))).toEqual([0, 0, 1, 0]); // keep cum > 0.7
  });

  it('is invariant to the scale of the attention (it normalises first)', () => {
    const att = [3, 1, 4, 2];
    expect(Array.from(thresholdMask(att, 0.6))).toEqual([1, 0, 1, 0]);
  });

  it('on random maps keeps at least t of the mass and is minimal (dropping its smallest kept patch falls below t)', () => {
    const rng = new SeededRng(3);
    for (let trial = 0; trial < 50; trial++) {
      const att = Array.from({ length: 196 }, () => rng.next() ** 4);
      const t = 0.1 + 0.8 * rng.next();
      const mask = thresholdMask(att, t);
      expect(maskedMass(att, mask)).toBeGreaterThanOrEqual(t - 1e-12);
      let smallest = -1;
      for (let i = 0; i < att.length; i++) if (mask[i] && (smallest < 0 || att[i]! < att[smallest]!)) smallest = i;
      const less = Uint8Array.from(mask);
      less[smallest] = 0;
      expect(maskedMass(att, less)).toBeLessThan(t + 1e-12);
    }
  });
});
