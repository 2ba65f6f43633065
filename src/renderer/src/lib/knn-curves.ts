// Turns a run's kept k-NN evaluations and online k-NN rows into plottable top-1-against-step series (one protocol per series).
import type { EvaluationRecord, MetricRow } from '../../../shared/ipc-contract';
import { baseName } from './format';

export interface KnnPoint {
  step: number;
  top1: number;
}
export interface KnnCurve {
  label: string;
  points: KnnPoint[];
}

/** A protocol's name as a person reads it: "k=20 on val (train: train)". */
export function protocolLabel(r: Pick<EvaluationRecord, 'k' | 'trainDir' | 'valDir'>): string {
  return `k=${r.k} on ${baseName(r.valDir)}`;
}

/** One curve per protocol (folders + k), one point per step (the latest evaluation of that step), sorted by step. */
export function evaluationCurves(records: EvaluationRecord[]): KnnCurve[] {
  const byProtocol = new Map<string, { label: string; byStep: Map<number, number> }>();
  for (const r of records) {
    const key = `${r.trainDir}\n${r.valDir}\n${r.k}`;
    let c = byProtocol.get(key);
    if (!c) byProtocol.set(key, (c = { label: protocolLabel(r), byStep: new Map() }));
    c.byStep.set(r.step, r.top1);
  }
  return [...byProtocol.values()].map((c) => ({
    label: c.label,
    points: [...c.byStep.entries()].sort((a, b) => a[0] - b[0]).map(([step, top1]) => ({ step, top1 })),
  }));
}

/** The online k-NN measured during training (metrics.jsonl rows that carry knnTop1), at the step it evaluated (knnStep: 0 for the baseline on the first row). */
export function onlineCurve(rows: MetricRow[]): KnnCurve | null {
  const points = rows
    .filter((r) => typeof r.knnTop1 === 'number' && Number.isFinite(r.knnTop1))
    .map((r) => ({ step: r.knnStep ?? r.step, top1: r.knnTop1! }));
  return points.length ? { label: 'online k-NN (during training)', points } : null;
}
