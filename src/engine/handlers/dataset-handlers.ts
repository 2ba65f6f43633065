// Engine handlers for the dataset channels: 'dataset:scan' of a folder the person opened (progress events); scanning never opens a folder.
import { ScanCancelledError, scanDataset } from '../dataset/scan-dataset';
import { requireDatasetFolder } from '../roots/require-dataset-folder';
import { requireOpened } from '../roots/require-opened';
import { StudioFailure } from '../studio-failure';
import { type PartialHandlerTable } from './handler-types';

let scanCounter = 0;
/** Scans in progress, by job id (the id their progress events carry), so a person can cancel one. */
const running = new Map<string, AbortController>();

export const datasetHandlers: PartialHandlerTable = {
  async 'dataset:scan'(req, ctx) {
    // Scanning reads every file of the folder: only folders the person opened (folders:open).
    const root = await requireDatasetFolder(req.path, (abs) => requireOpened(ctx, abs, 'the dataset folder'));
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
