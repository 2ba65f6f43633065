// A dataset's identity for resume: sha256 over its sorted relative paths, byte sizes and modification times.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { relative } from 'node:path';

export interface DatasetFingerprint {
  sha256: string;
  files: number;
  bytes: number;
}

/** Fingerprint the images a run trains on (absolute paths under `root`). */
export async function datasetFingerprint(root: string, paths: readonly string[]): Promise<DatasetFingerprint> {
  const rows: string[] = [];
  let bytes = 0;
  for (const p of paths) {
    const st = await fsp.stat(p);
    bytes += st.size;
    rows.push(`${relative(root, p).split('\\').join('/')}\t${st.size}\t${Math.floor(st.mtimeMs)}`);
  }
  rows.sort();
  const hash = createHash('sha256');
  for (const r of rows) hash.update(r + '\n');
  return { sha256: hash.digest('hex'), files: rows.length, bytes };
}
