// A run's evaluation history: every k-NN result kept as one JSON line in <run>/evaluations.jsonl, read back tolerating a cut-short last line.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationRecord } from '../../shared/ipc-contract';
import { readJsonLines } from '../util/json-lines';

export const EVALUATIONS_FILE = 'evaluations.jsonl';

function isRecord(x: unknown): x is EvaluationRecord {
  const r = x as EvaluationRecord;
  return typeof x === 'object' && x !== null && typeof r.step === 'number' && typeof r.top1 === 'number' && typeof r.k === 'number' && typeof r.valDir === 'string';
}

export async function readEvaluations(runDir: string): Promise<EvaluationRecord[]> {
  return readJsonLines(join(runDir, EVALUATIONS_FILE), isRecord);
}

/** Append one record (a whole line in one write, so a crash leaves at most a partial last line, which reading skips). */
export async function appendEvaluation(runDir: string, rec: EvaluationRecord): Promise<void> {
  const fh = await fsp.open(join(runDir, EVALUATIONS_FILE), 'a');
  try {
    await fh.write(JSON.stringify(rec) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Same evaluation protocol: the same train and val folders and the same k (only then are two top-1 values comparable). */
export function sameProtocol(a: Pick<EvaluationRecord, 'trainDir' | 'valDir' | 'k'>, b: Pick<EvaluationRecord, 'trainDir' | 'valDir' | 'k'>): boolean {
  return a.trainDir === b.trainDir && a.valDir === b.valDir && a.k === b.k;
}

/** The step-0 record for this protocol, if one was kept. */
export function findBaseline(records: EvaluationRecord[], protocol: Pick<EvaluationRecord, 'trainDir' | 'valDir' | 'k'>): EvaluationRecord | null {
  return [...records].reverse().find((r) => r.step === 0 && sameProtocol(r, protocol)) ?? null;
}

/** Step of a checkpoint folder name (step-00000120 -> 120). */
export function stepOfCheckpoint(name: string | null): number | null {
  const m = name ? /^step-(\d+)$/.exec(name) : null;
  return m ? Number(m[1]) : null;
}
