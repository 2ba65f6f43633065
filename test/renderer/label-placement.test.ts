// Crop-box name tags (CropOverlay) stay clear of each other with the paper's 8 local crops, and each sits on its own box's edge.
import { describe, expect, it } from 'vitest';
import { drawImageViews } from '../../src/engine/augment/view-plan';
import { placeLabels, type Rect } from '../../src/renderer/src/lib/label-placement';
import { augmentPart, RECIPE_DEFAULTS } from '../../src/shared/config-schema';

const overlap = (a: Rect, b: Rect) => Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x) > 1e-9 && Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y) > 1e-9;
const names = ['G1', 'G2', 'L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7', 'L8'];

describe('placeLabels', () => {
  const W = 500;
  const H = 335; // a hymenoptera photo
  const f = Math.max(W, H) / 40;
  const size = { charWidth: f * 0.62, lineHeight: f * 1.25, pad: f * 0.3 };

  it('no two tags overlap over 100 draws of 2 + 8 views, where tags at the top-left corners would', () => {
    let cornerCollisions = 0;
    for (let seed = 0; seed < 100; seed++) {
      const draws = drawImageViews(augmentPart(RECIPE_DEFAULTS), seed, 0, 0, W, H);
      const boxes = draws.map((d, i) => ({ ...d.box, text: names[i]! }));
      expect(boxes).toHaveLength(10);
      const tags = placeLabels(boxes, size, { width: W, height: H });
      for (let i = 0; i < tags.length; i++) {
        for (let j = i + 1; j < tags.length; j++) expect(overlap(tags[i]!, tags[j]!), `seed ${seed}: ${names[i]} and ${names[j]}`).toBe(false);
        // inside the picture, and touching its own box's outline (within a tag's height of an edge)
        const t = tags[i]!;
        const b = boxes[i]!;
        expect(t.x).toBeGreaterThanOrEqual(0);
        expect(t.y).toBeGreaterThanOrEqual(0);
        expect(t.x + t.w).toBeLessThanOrEqual(W + 1e-9);
        expect(t.y + t.h).toBeLessThanOrEqual(H + 1e-9);
        const nearX = t.x + t.w >= b.x - 1e-9 && t.x <= b.x + b.w + 1e-9;
        const nearY = t.y + t.h >= b.y - 1e-9 && t.y <= b.y + b.h + 1e-9;
        expect(nearX && nearY, `seed ${seed}: ${names[i]} tag away from its box`).toBe(true);
      }
      // the old placement: every tag at its box's top-left corner
      const corners = boxes.map((b, i) => ({ x: b.x, y: b.y, w: tags[i]!.w, h: tags[i]!.h }));
      if (corners.some((a, i) => corners.some((c, j) => j > i && overlap(a, c)))) cornerCollisions++;
    }
    expect(cornerCollisions).toBeGreaterThan(20);
  });

  it('keeps the first tag at the top-left corner of its box when it is free', () => {
    const tags = placeLabels([{ x: 50, y: 40, w: 200, h: 100, text: 'G1' }], size, { width: W, height: H });
    expect(tags[0]).toMatchObject({ x: 50, y: 40 });
  });
});
