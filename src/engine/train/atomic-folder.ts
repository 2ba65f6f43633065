// Crash-safe folders: write files into a temp folder, fsync, a checksummed manifest last, then rename into place; verify on read.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const MANIFEST = 'manifest.json';

export interface ManifestEntry {
  bytes: number;
  sha256: string;
}
export interface Manifest {
  version: 1;
  createdAt: string;
  files: Record<string, ManifestEntry>;
}

/** Writes one file durably (content then fsync). Injectable so tests can simulate a full disk. */
export type DurableWrite = (path: string, data: Uint8Array) => Promise<void>;

export const durableWrite: DurableWrite = async (path, data) => {
  const fh = await fsp.open(path, 'w');
  try {
    let off = 0;
    while (off < data.byteLength) {
      const { bytesWritten } = await fh.write(data, off, data.byteLength - off);
      off += bytesWritten;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
};

/** fsync a folder so the names inside it (new files, renames) survive a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } catch (e) {
    // Some file systems refuse fsync on folders (EINVAL/EISDIR); the rename is still atomic there.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw e;
  } finally {
    await fh.close();
  }
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Is this a temp folder left behind by an interrupted write? */
export function isTempName(name: string): boolean {
  return name.startsWith('.tmp-') || name.startsWith('.old-');
}

/**
 * Write `files` as the folder `parent/name`, atomically: readers see either no folder, the previous
 * complete folder of that name, or the new complete one. The manifest (sha256 + size per file) is
 * written last, so a folder without a valid manifest is never complete.
 */
export async function writeAtomicFolder(
  parent: string,
  name: string,
  files: Record<string, Uint8Array>,
  write: DurableWrite = durableWrite,
): Promise<string> {
  if (MANIFEST in files) throw new Error(`${MANIFEST} is reserved for the checksum manifest`);
  await fsp.mkdir(parent, { recursive: true });
  const tmp = join(parent, `.tmp-${name}-${randomBytes(4).toString('hex')}`);
  await fsp.mkdir(tmp);
  try {
    const manifest: Manifest = { version: 1, createdAt: new Date().toISOString(), files: {} };
    for (const [file, data] of Object.entries(files)) {
      await write(join(tmp, file), data);
      manifest.files[file] = { bytes: data.byteLength, sha256: sha256(data) };
    }
    await write(join(tmp, MANIFEST), new TextEncoder().encode(JSON.stringify(manifest, null, 1)));
    await fsyncDir(tmp);
    const dest = join(parent, name);
    let old: string | null = null;
    try {
      await fsp.rename(tmp, dest);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
      // Replace an existing folder of that name: move it aside first (the new one is complete already).
      old = join(parent, `.old-${name}-${randomBytes(4).toString('hex')}`);
      await fsp.rename(dest, old);
      await fsp.rename(tmp, dest);
    }
    await fsyncDir(parent);
    if (old) await fsp.rm(old, { recursive: true, force: true });
    return dest;
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}

export type VerifyResult = { ok: true; manifest: Manifest } | { ok: false; reason: string };

/** Check that a folder's manifest exists and every listed file has its recorded size and sha256. */
export async function verifyFolder(dir: string): Promise<VerifyResult> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await fsp.readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ENOENT' ? `${MANIFEST} is missing (the write never finished)` : `${MANIFEST} is unreadable or truncated` };
  }
  if (!manifest || typeof manifest.files !== 'object' || manifest.files === null) {
    return { ok: false, reason: `${MANIFEST} has no file list` };
  }
  for (const [file, entry] of Object.entries(manifest.files)) {
    if (file.includes('/') || file.includes('\\') || file === '..') return { ok: false, reason: `${MANIFEST} names an unsafe file ${file}` };
    let data: Buffer;
    try {
      data = await fsp.readFile(join(dir, file));
    } catch {
      return { ok: false, reason: `${file} is missing` };
    }
    if (data.byteLength !== entry.bytes) return { ok: false, reason: `${file} has ${data.byteLength} bytes, the manifest says ${entry.bytes} (truncated)` };
    if (sha256(data) !== entry.sha256) return { ok: false, reason: `${file} does not match its sha256 checksum (corrupted)` };
  }
  return { ok: true, manifest };
}

/** Remove temp folders an interrupted write left in `parent`. */
export async function removeTempFolders(parent: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    if (isTempName(n)) {
      await fsp.rm(join(parent, n), { recursive: true, force: true });
      removed.push(n);
    }
  }
  return removed;
}

/** Write one small file atomically (temp + fsync + rename + fsync folder). */
export async function writeFileAtomic(path: string, data: string | Uint8Array, write: DurableWrite = durableWrite): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  try {
    await write(tmp, bytes);
    await fsp.rename(tmp, path);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await fsyncDir(dirname(path));
}
