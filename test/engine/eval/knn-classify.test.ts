// k-NN classifier (eval_knn.py protocol) on synthetic features whose answer is known by construction or by hand.
import { describe, expect, it } from 'vitest';
import { knnClassify, l2NormalizeRows, nearestNeighbours, topK, type FeatureMatrix } from '../../../src/engine/eval/knn-classify';
import { SeededRng } from '../../../src/engine/util/seeded-rng';

function matrix(rows: number[][]): FeatureMatrix {
  return { rows: rows.length, dim: rows[0]!.length, data: Float32Array.from(rows.flat()) };
}

/** A unit vector at angle theta in the plane (cosine similarity between two is cos of the angle between them). */
const at = (deg: number) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];

describe('knnClassify', () => {
  it('weights votes by exp(sim / 0.07): one very close neighbour outvotes two far ones (majority would not)', () => {
    // Train: class 0 at 10 degrees from the query, class 1 twice at 60 degrees.
    const train = matrix([at(10), at(60), at(-60)]);
    const val = matrix([at(0)]);
    const r = knnClassify(train, [0, 1, 1], val, [0], 2, { k: 3, temperature: 0.07 });
    // exp(cos10/0.07) = e^14.07 vs 2 * exp(cos60/0.07) = 2 e^7.14: class 0 wins.
    expect(r.predictions[0]).toBe(0);
    expect(r.top1).toBe(1);
    // With a huge temperature every vote weighs ~1: the majority (class 1) wins.
    const flat = knnClassify(train, [0, 1, 1], val, [0], 2, { k: 3, temperature: 1e6 });
    expect(flat.predictions[0]).toBe(1);
    expect(flat.top1).toBe(0);
  });

  it('only the k nearest vote', () => {
    // Query at 0: two class-1 points at 5 and 6 degrees, three class-0 points at 20-22 degrees.
    const train = matrix([at(5), at(6), at(20), at(21), at(22)]);
    const labels = [1, 1, 0, 0, 0];
    const val = matrix([at(0)]);
    expect(knnClassify(train, labels, val, [1], 2, { k: 2, temperature: 1 }).predictions[0]).toBe(1);
    // k=5 with T=1 (nearly flat weights): three class-0 votes beat two class-1 votes.
    expect(knnClassify(train, labels, val, [1], 2, { k: 5, temperature: 1 }).predictions[0]).toBe(0);
  });

  it('separable clusters give 100 % top-1; labels rotated against the clusters give 0 %', () => {
    const rng = new SeededRng(7);
    const classes = 6;
    const dim = 16;
    const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => rng.next() * 2 - 1));
    const sample = (c: number) => centres[c]!.map((v) => v + (rng.next() - 0.5) * 0.1);
    const trainRows: number[][] = [];
    const trainLabels: number[] = [];
    const valRows: number[][] = [];
    const valLabels: number[] = [];
    for (let c = 0; c < classes; c++) {
      for (let i = 0; i < 30; i++) {
        trainRows.push(sample(c));
        trainLabels.push(c);
      }
      for (let i = 0; i < 10; i++) {
        valRows.push(sample(c));
        valLabels.push(c);
      }
    }
    const train = l2NormalizeRows(matrix(trainRows));
    const val = l2NormalizeRows(matrix(valRows));
    const r = knnClassify(train, trainLabels, val, valLabels, classes, { k: 20, temperature: 0.07 });
    expect(r.top1).toBe(1);
    expect(r.top5).toBe(1);
    expect(r.k).toBe(20);
    expect(r.perClass.map((p) => p.count)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(r.perClass.every((p) => p.top1 === 1)).toBe(true);
    // Val labels rotated by one class: every prediction (the true cluster) is now wrong at top-1.
    const rotated = valLabels.map((l) => (l + 1) % classes);
    const w = knnClassify(train, trainLabels, val, rotated, classes, { k: 20, temperature: 0.07 });
    expect(w.top1).toBe(0);
  });

  it('reports top-5 only with at least 5 classes, and per-class accuracy by hand', () => {
    const train = matrix([at(0), at(90), at(180)]);
    const val = matrix([at(1), at(89), at(179), at(2)]);
    // Truth: 0, 1, 2, 1 (the last is wrong on purpose).
    const r = knnClassify(train, [0, 1, 2], val, [0, 1, 2, 1], 3, { k: 1, temperature: 0.07 });
    expect(r.top5).toBeNull();
    expect(r.top1).toBe(0.75);
    expect(r.perClass).toEqual([
      { label: 0, count: 1, top1: 1 },
      { label: 1, count: 2, top1: 0.5 },
      { label: 2, count: 1, top1: 1 },
    ]);
  });

  it('clamps k to the train size and rejects mismatched inputs', () => {
    const train = matrix([at(0), at(90)]);
    const val = matrix([at(3)]);
    expect(knnClassify(train, [0, 1], val, [0], 2, { k: 20, temperature: 0.07 }).k).toBe(2);
    expect(() => knnClassify(train, [0], val, [0], 2, { k: 2, temperature: 0.07 })).toThrow(/one label per feature row/);
    expect(() => knnClassify(train, [0, 1], matrix([[1, 0, 0]]), [0], 2, { k: 2, temperature: 0.07 })).toThrow(/dimensions/);
  });
});

describe('helpers', () => {
  it('l2NormalizeRows gives unit rows and leaves a zero row at zero', () => {
    const m = l2NormalizeRows(matrix([[3, 4], [0, 0]]));
    expect(Array.from(m.data)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0]);
  });
  it('topK picks the largest first, lower index on ties', () => {
    expect(topK(Float32Array.from([0.1, 0.9, 0.5, 0.9, -1]), 3)).toEqual([1, 3, 2]);
  });
  it('nearestNeighbours returns indices and cosine similarities, most similar first', () => {
    const g = matrix([at(0), at(45), at(90)]);
    const n = nearestNeighbours(Float32Array.from(at(80)), g, 2);
    expect(n.map((x) => x.index)).toEqual([2, 1]);
    expect(n[0]!.similarity).toBeCloseTo(Math.cos((10 * Math.PI) / 180), 6);
    expect(n[1]!.similarity).toBeCloseTo(Math.cos((35 * Math.PI) / 180), 6);
  });
});
