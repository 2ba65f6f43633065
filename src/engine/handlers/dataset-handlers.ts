// Engine handlers for the dataset channels: 'dataset:scan' of a folder the person opened (progress events); scanning never opens a folder.
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { scanDataset } from '../dataset/scan-dataset';
import { requireOpened } from '../roots/require-opened';
import { StudioFailure } from '../studio-failure';
import { type PartialHandlerTable } from './handler-types';

let scanCounter = 0;

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
    const result = await scanDataset(root, {
      maxPixels: req.maxPixels,
      onProgress: (done, total) => ctx.emit('progress', { jobId, label, done, total }),
    });
    ctx.emit('progress', { jobId, label, done: result.images.length + result.skipped.length, total: result.images.length + result.skipped.length });
    return result;
  },
};
