// Gradient accumulation's batch split: micro-batch m holds images m*b..(m+1)*b-1 of every view, still view-major.
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../../src/engine/loader/batch-types';
import { splitBatch } from '../../../src/engine/train/split-batch';

/** A batch whose every value encodes (group, view, image, offset) so misplaced data is visible. */
function codedBatch(B: number): Batch {
  const groups = [
    { size: 4, views: 2 },
    { size: 2, views: 3 },
  ].map(({ size, views }, g) => {
    const per = 3 * size * size;
    const data = new Float32Array(views * B * per);
    for (let v = 0; v < views; v++) for (let i = 0; i < B; i++) for (let k = 0; k < per; k++) data[(v * B + i) * per + k] = g * 1e6 + v * 1e4 + i * 100 + k;
    return { size, views, data };
  });
  return { epoch: 3, index: 5, imageIndices: Array.from({ length: B }, (_, i) => 40 + i), batchSize: B, groups, waitMs: 7 };
}

describe('splitBatch', () => {
  it('splits 6 images into 3 micro-batches of 2 with the right views of the right images', () => {
    const parts = splitBatch(codedBatch(6), 3);
    expect(parts).toHaveLength(3);
    parts.forEach((p, m) => {
      expect(p.batchSize).toBe(2);
      expect(p.imageIndices).toEqual([40 + 2 * m, 41 + 2 * m]);
      expect([p.epoch, p.index]).toEqual([3, 5]);
      p.groups.forEach((grp, g) => {
        const per = 3 * grp.size * grp.size;
        expect(grp.data.length).toBe(grp.views * 2 * per);
        for (let v = 0; v < grp.views; v++) {
          for (let j = 0; j < 2; j++) {
            for (const k of [0, per - 1]) expect(grp.data[(v * 2 + j) * per + k]).toBe(g * 1e6 + v * 1e4 + (2 * m + j) * 100 + k);
          }
        }
      });
    });
    expect(parts.map((p) => p.waitMs)).toEqual([7, 0, 0]);
  });

  it('returns the batch itself for one part and refuses an uneven split', () => {
    const b = codedBatch(4);
    expect(splitBatch(b, 1)[0]).toBe(b);
    expect(() => splitBatch(b, 3)).toThrow(/4 images into 3/);
  });
});
