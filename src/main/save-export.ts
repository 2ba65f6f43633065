// Desktop export: the engine writes the export into the run folder, then the main process asks where to save it (its own dialog) and copies it there.
import { dialog, type BrowserWindow } from 'electron';
import { copyFile, rename, unlink } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { parseRequest, type Envelope, type SavedExport } from '../shared/ipc-contract';
import type { EngineClient } from '../engine/engine-client';

/**
 * The path comes from the save dialog the main process showed, never from the page. The dialog asks before
 * replacing an existing file (showOverwriteConfirmation on Linux; macOS and Windows always ask). The copy keeps
 * the run folder's file mode (0644 for weights, 0755 only for the torchrun script) and lands atomically.
 */
export async function saveExport(win: BrowserWindow | null, engine: EngineClient, request: unknown): Promise<Envelope<SavedExport>> {
  const parsed = parseRequest('export:save', request);
  if (!parsed.ok) return parsed;
  // The run folder's copy is regenerated from the same checkpoint (same bytes), so replacing it needs no question.
  const exported = await engine.call('export:run', { ...parsed.value, replace: true });
  if (!exported.ok) return exported;
  const result = exported.value;
  const isScript = result.format === 'torchrun';
  const options = {
    title: isScript ? 'Save the torchrun command' : `Save the ${result.network ?? 'teacher'} backbone`,
    defaultPath: result.file,
    filters: isScript ? [{ name: 'Shell script', extensions: ['sh'] }] : [{ name: 'safetensors', extensions: ['safetensors'] }],
    properties: ['showOverwriteConfirmation' as const, 'createDirectory' as const],
  };
  const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
  if (r.canceled || !r.filePath) return { ok: true, value: { saved: null, result } };
  const target = r.filePath;
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  try {
    await copyFile(result.out, tmp);
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    return { ok: false, error: { code: err.code === 'EACCES' || err.code === 'EPERM' ? 'forbidden' : 'bad_input', message: `could not save ${target}: ${err.message}; pick a folder you can write to (the export is also in ${result.out})` } };
  }
  return { ok: true, value: { saved: target, result } };
}
