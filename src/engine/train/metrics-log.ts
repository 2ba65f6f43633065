// metrics.jsonl: one JSON MetricRow per step, appended durably; read back tolerating a truncated last line; cut back on resume.
import { promises as fsp } from 'node:fs';
import type { MetricRow } from '../../shared/ipc-contract';
import { parseJsonLines, readJsonLines } from '../util/json-lines';
import { writeFileAtomic } from './atomic-folder';

export const METRICS_FILE = 'metrics.jsonl';

function isRow(x: unknown): x is MetricRow {
  return typeof x === 'object' && x !== null && typeof (x as MetricRow).step === 'number' && typeof (x as MetricRow).loss === 'number';
}

/** Parse metrics text; a line that does not parse (a write cut short by a crash) is skipped. */
export function parseMetrics(text: string): MetricRow[] {
  return parseJsonLines(text, isRow);
}

export async function readMetrics(path: string): Promise<MetricRow[]> {
  return readJsonLines(path, isRow);
}

/** JSON for one row; non-finite numbers (a NaN loss) become null so the line stays valid JSON. */
export function formatRow(row: MetricRow): string {
  return JSON.stringify(row, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

export class MetricsLog {
  private fh: fsp.FileHandle | null = null;
  constructor(readonly path: string) {}

  /**
   * Keep only rows with step <= `step` (the checkpoint the run resumes from) and drop any partial
   * line, rewriting the file atomically, so the rows after resume continue without gaps or repeats.
   */
  async truncateAfter(step: number): Promise<MetricRow[]> {
    const rows = (await readMetrics(this.path)).filter((r) => r.step <= step);
    // Remove duplicates a crash between append and checkpoint could not create, but be strict anyway.
    const seen = new Set<number>();
    const clean = rows.filter((r) => (seen.has(r.step) ? false : (seen.add(r.step), true)));
    await writeFileAtomic(this.path, clean.map((r) => formatRow(r) + '\n').join(''));
    return clean;
  }

  async open(): Promise<void> {
    this.fh = await fsp.open(this.path, 'a');
  }

  /** Append one row and fsync it (a step takes far longer than the fsync). */
  async append(row: MetricRow): Promise<void> {
    if (!this.fh) await this.open();
    await this.fh!.write(formatRow(row) + '\n');
    await this.fh!.datasync();
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
  }
}
