// The comparison helpers: k-NN curves per protocol (latest result per step) and the settings diff of run configs.
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../src/shared/config-schema';
import type { EvaluationRecord } from '../../src/shared/ipc-contract';
import { configDiff } from '../../src/renderer/src/lib/config-diff';
import { evaluationCurves, onlineCurve } from '../../src/renderer/src/lib/knn-curves';

const rec = (step: number, top1: number, k = 20, valDir = '/d/val'): EvaluationRecord => ({
  time: step,
  step,
  checkpoint: `step-${step}`,
  k,
  top1,
  top5: null,
  train: 10,
  val: 5,
  trainDir: '/d/train',
  valDir,
  perClass: [],
});

describe('evaluationCurves', () => {
  it('one curve per protocol, sorted by step, the latest result of a step winning', () => {
    const curves = evaluationCurves([rec(10, 0.5), rec(0, 0.4), rec(10, 0.6), rec(5, 0.45, 5), rec(5, 0.47)]);
    expect(curves).toEqual([
      { label: 'k=20 on val', points: [{ step: 0, top1: 0.4 }, { step: 5, top1: 0.47 }, { step: 10, top1: 0.6 }] },
      { label: 'k=5 on val', points: [{ step: 5, top1: 0.45 }] },
    ]);
  });
  it('the online curve takes only rows that carry a finite knnTop1, at the step evaluated (knnStep)', () => {
    const rows = [{ step: 1, knnStep: 0, knnTop1: 0.2 }, { step: 2 }, { step: 3, knnTop1: Number.NaN }, { step: 4, knnStep: 4, knnTop1: 0.35 }, { step: 5, knnTop1: 0.4 }] as never[];
    expect(onlineCurve(rows)!.points).toEqual([{ step: 0, top1: 0.2 }, { step: 4, top1: 0.35 }, { step: 5, top1: 0.4 }]);
    expect(onlineCurve([])).toBeNull();
  });
});

describe('configDiff', () => {
  it('lists only the settings that differ, with each run value, and counts the identical ones', () => {
    const a = presetConfig('cpu-small');
    const b = { ...a, lr: 0.004, globalScale: [0.3, 1] as [number, number] };
    const c = { ...a, lr: 0.004 };
    const d = configDiff([a, b, c]);
    expect(d.rows.map((r) => r.key).sort()).toEqual(['globalScale', 'lr']);
    expect(d.rows.find((r) => r.key === 'lr')!.values).toEqual(['0.008', '0.004', '0.004']);
    expect(d.rows.find((r) => r.key === 'globalScale')!.values).toEqual(['0.4, 1', '0.3, 1', '0.4, 1']);
    expect(d.same).toBe(Object.keys(a).length - 2);
    expect(configDiff([a, { ...a }]).rows).toEqual([]);
  });
});
