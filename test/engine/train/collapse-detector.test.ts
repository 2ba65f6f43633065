// Collapse warnings from entropies of actual teacher distributions: uniform, one-dimension, healthy.
import { describe, expect, it } from 'vitest';
import { CollapseDetector } from '../../../src/engine/train/collapse-detector';
import type { StepStats } from '../../../src/engine/train/step-types';

const K = 256;
function softmax(logits: number[], temp: number): number[] {
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp((l - m) / temp));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}
const entropy = (p: number[]) => -p.reduce((a, x) => a + (x > 0 ? x * Math.log(x) : 0), 0);

/** Teacher statistics of a batch whose per-image logits are given. */
function stats(batchLogits: number[][], temp = 0.04): StepStats {
  const ps = batchLogits.map((l) => softmax(l, temp));
  const mean = ps[0]!.map((_, k) => ps.reduce((a, p) => a + p[k]!, 0) / ps.length);
  return {
    loss: 1,
    teacherEntropy: ps.reduce((a, p) => a + entropy(p), 0) / ps.length,
    klTeacherStudent: 0,
    centerNorm: 0,
    batchMeanEntropy: entropy(mean),
  };
}
let seed = 1;
const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const logitsRandom = () => Array.from({ length: K }, () => rnd() * 2 - 1);

describe('CollapseDetector', () => {
  it('flags uniform collapse (identical logits after centring) only after warmup and a full window', () => {
    const d = new CollapseDetector({ outDim: K, warmupSteps: 30, window: 10 });
    const flat = Array.from({ length: 8 }, () => Array.from({ length: K }, () => 0.3));
    let w = null;
    for (let s = 1; s <= 30; s++) w = d.observe(s, stats(flat));
    expect(w).toBeNull(); // within warmup
    w = d.observe(31, stats(flat));
    expect(w?.kind).toBe('uniform');
    expect(w?.message).toMatch(/outDim|teacherTemp|momentumTeacher/);
  });

  it('flags one-dimension collapse (every image on one prototype) and clears on a healthy batch', () => {
    const d = new CollapseDetector({ outDim: K, warmupSteps: 0, window: 5 });
    const one = Array.from({ length: 8 }, () => Array.from({ length: K }, (_, k) => (k === 7 ? 1 : -1)));
    let w = null;
    for (let s = 1; s <= 4; s++) w = d.observe(s, stats(one));
    expect(w).toBeNull();
    w = d.observe(5, stats(one));
    expect(w?.kind).toBe('one-dimension');
    const healthy = Array.from({ length: 8 }, logitsRandom);
    expect(d.observe(6, stats(healthy))).toBeNull();
  });

  it('never warns on sharp but diverse teacher outputs', () => {
    const d = new CollapseDetector({ outDim: K, warmupSteps: 0, window: 3 });
    for (let s = 1; s <= 50; s++) expect(d.observe(s, stats(Array.from({ length: 16 }, logitsRandom)))).toBeNull();
  });
});
