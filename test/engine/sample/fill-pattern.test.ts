// The sample generator's pattern style: every fill pattern inks about half of its area (so mean colour cannot name the class), and a rendered pattern object's pixels are its ink or paper colour inside the mask and the ground outside.
import { describe, expect, it } from 'vitest';
import { FILL_PATTERNS, patternDistance } from '../../../src/engine/sample/fill-pattern';
import { drawSampleSpec, renderSample, SAMPLE_STYLE, type SampleStyle } from '../../../src/engine/sample/render-sample';
import { SAMPLE_CLASSES } from '../../../src/engine/sample/shape-sdf';

const PATTERN_STYLE: SampleStyle = {
  ...SAMPLE_STYLE,
  fill: 'pattern',
  palette: 'shared',
  backgrounds: ['plain'],
  areaShare: [0.25, 0.4],
  minSeparation: 100,
  period: [14, 26],
};

describe('fill patterns', () => {
  it('each pattern inks 45-55 % of a large area, at several periods and phases', () => {
    for (const pattern of FILL_PATTERNS) {
      for (const period of [9, 14.5, 23]) {
        let ink = 0;
        let n = 0;
        for (let y = -90; y < 90; y += 0.37) {
          for (let x = -90; x < 90; x += 0.37) {
            n++;
            if (patternDistance(pattern, x + 3.3, y - 1.7, period) < 0) ink++;
          }
        }
        const share = ink / n;
        expect(share, `${pattern} at period ${period}`).toBeGreaterThan(0.45);
        expect(share, `${pattern} at period ${period}`).toBeLessThan(0.55);
      }
    }
  });

  it('patterns differ: no two agree on more than 75 % of the pixels at the same period', () => {
    const period = 16;
    const bits = FILL_PATTERNS.map((p) => {
      const out: boolean[] = [];
      for (let y = -80; y < 80; y += 1) for (let x = -80; x < 80; x += 1) out.push(patternDistance(p, x + 0.5, y + 0.5, period) < 0);
      return out;
    });
    for (let a = 0; a < bits.length; a++) {
      for (let b = a + 1; b < bits.length; b++) {
        const same = bits[a]!.filter((v, i) => v === bits[b]![i]).length / bits[a]!.length;
        expect(same, `${FILL_PATTERNS[a]} vs ${FILL_PATTERNS[b]}`).toBeLessThan(0.75);
      }
    }
  });

  it('a pattern object is drawn in its ink and paper inside its mask and the ground outside; the class picks the pattern, not the outline', () => {
    const outlines = new Set<string>();
    for (let i = 0; i < SAMPLE_CLASSES.length; i++) {
      const cls = SAMPLE_CLASSES[i]!;
      for (let k = 0; k < 4; k++) {
        const spec = drawSampleSpec(cls, [7, i, k], PATTERN_STYLE);
        const obj = spec.objects[0]!;
        expect(obj.fill?.pattern).toBe(FILL_PATTERNS[i]);
        outlines.add(obj.outline!);
        const { rgb, mask } = renderSample(spec);
        const near = (p: number, c: readonly number[]) => Math.hypot(rgb[3 * p]! - c[0]!, rgb[3 * p + 1]! - c[1]!, rgb[3 * p + 2]! - c[2]!) < 20;
        let inkPixels = 0;
        let paperPixels = 0;
        let inside = 0;
        for (let p = 0; p < mask.length; p++) {
          if (mask[p] === 255) {
            inside++;
            if (near(p, obj.color)) inkPixels++;
            else if (near(p, obj.fill!.paper)) paperPixels++;
          } else if (mask[p] === 0) expect(near(p, spec.background.a), `ground pixel ${p} of ${cls} ${k}`).toBe(true);
        }
        // Anti-aliased pattern edges are mixes of both; most pixels are one or the other, about half each.
        expect((inkPixels + paperPixels) / inside).toBeGreaterThan(0.6);
        expect(inkPixels / (inkPixels + paperPixels)).toBeGreaterThan(0.3);
        expect(inkPixels / (inkPixels + paperPixels)).toBeLessThan(0.7);
      }
    }
    expect(outlines.size).toBeGreaterThan(2); // outlines vary independently of the class
  });
});
