// Writes an export file atomically with an explicit mode, and never over an existing file unless the caller says the person agreed.
import { chmod, link, rename, unlink, writeFile } from 'node:fs/promises';

/** The file exists and `replace` was not given: the person has to be asked first. */
export class ExportExistsError extends Error {
  override name = 'ExportExistsError';
  constructor(readonly path: string) {
    super(`${path} already exists; choose another name, or confirm that it should be replaced`);
  }
}

export interface WriteExportOptions {
  /** 0o644 for data, 0o755 only for a script meant to be run. */
  mode: number;
  /** Replace an existing file (the person confirmed). */
  replace: boolean;
}

/**
 * Write to a temp file beside `out`, then move it into place: rename when replacing, else link() (which fails
 * with EEXIST atomically, so a file created meanwhile is never overwritten either). The mode is set explicitly
 * (the umask would otherwise decide it).
 */
export async function writeExportFile(out: string, data: string | Uint8Array, opts: WriteExportOptions): Promise<void> {
  const tmp = `${out}.tmp-${process.pid}-${Date.now().toString(36)}`;
  await writeFile(tmp, data, { mode: opts.mode, flag: 'wx' });
  try {
    await chmod(tmp, opts.mode);
    if (opts.replace) {
      await rename(tmp, out);
      return;
    }
    try {
      await link(tmp, out);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new ExportExistsError(out);
      throw e;
    }
    await unlink(tmp);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
