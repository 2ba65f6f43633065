// Engine handlers for the dataset channels: 'dataset:scan' of a folder the person opened (progress events); scanning never opens a folder.
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ScanCancelledError, scanDataset } from '../dataset/scan-dataset';
import { requireOpened } from '../roots/require-opened';
import { StudioFailure } from '../studio-failure';
import { type PartialHandlerTable } from './handler-types';

let scanCounter = 0;
/** Scans in progress, by job id (the id their progress events carry), so a person can cancel one. */
const running = new Map<string, AbortController>();

export const datasetHandlers: PartialHandlerTable = {
  async 'dataset:scan'(req, ctx) {
    if (!isAbsolute(req.path)) {
      // A relative path would be resolved against the engine's working folder.
      throw new StudioFailure('bad_input', `dataset folder "${req.path.slice(0, 200)}" is not an absolute path; give the full path, e.g. /home/you/images`);
    }
    const root = resolve(req.path);
    // Scanning reads every file of the folder: only folders the person opened (folders:open).
    requireOpened(ctx, root, 'the dataset folder');
    let st;
    try {
      st = await stat(root);
    } catch (e) {
      throw new StudioFailure('not_found', `dataset folder ${root} cannot be opened (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pick an existing folder`);
    }
    if (!st.isDirectory()) throw new StudioFailure('bad_input', `${root} is a file, not a folder; pick the folder that holds the images`);
    const jobId = `scan-${++scanCounter}`;
    const label = `Scanning ${root}`;
    const abort = new AbortController();
    running.set(jobId, abort);
    let result;
    try {
      ctx.emit('progress', { jobId, label, done: 0, total: null });
      result = await scanDataset(root, {
        maxPixels: req.maxPixels,
        signal: abort.signal,
        onProgress: (done, total) => ctx.emit('progress', { jobId, label, done, total }),
      });
    } catch (e) {
      if (e instanceof ScanCancelledError) {
        ctx.emit('progress', { jobId, label, done: 1, total: 1 });
        throw new StudioFailure('cancelled', `The scan of ${root} was cancelled after ${e.filesSeen} files; the dataset in use is unchanged`);
      }
      throw e;
    } finally {
      running.delete(jobId);
    }
    ctx.emit('progress', { jobId, label, done: result.images.length + result.skipped.length, total: result.images.length + result.skipped.length });
    return result;
  },

  async 'dataset:cancelScan'(req) {
    const ids = req.jobId ? [req.jobId] : [...running.keys()];
    let cancelled = 0;
    for (const id of ids) {
      const c = running.get(id);
      if (c && !c.signal.aborted) {
        c.abort();
        cancelled++;
      }
    }
    return { cancelled };
  },
};
