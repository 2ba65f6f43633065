// JSON Lines files (metrics.jsonl, evaluations.jsonl): parse the lines a guard accepts, skipping a line cut short by a crash; a missing file reads as empty.
import { promises as fsp } from 'node:fs';

/** The lines of `text` that parse as JSON and pass `guard`; blank and unparsable lines (a write cut short) are skipped. */
export function parseJsonLines<T>(text: string, guard: (x: unknown) => x is T): T[] {
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (guard(v)) out.push(v);
    } catch {
      // a line cut short by a crash
    }
  }
  return out;
}

/** parseJsonLines of a file; [] when the file does not exist. */
export async function readJsonLines<T>(path: string, guard: (x: unknown) => x is T): Promise<T[]> {
  try {
    return parseJsonLines(await fsp.readFile(path, 'utf8'), guard);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
