// Engine handlers for the app-level channels: app:info, fs:listDir (the web mode's folder browser), dataset:recent, dataset:openSample.
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import pkg from '../../../package.json';
import type { DirListing } from '../../shared/ipc-contract';
import { AllowedRoots } from '../roots/allowed-roots';
import { ensureSampleDataset, sampleDatasetPath } from '../sample/sample-dataset';
import { StudioFailure } from '../studio-failure';
import { type PartialHandlerTable } from './handler-types';

const MAX_ENTRIES = 5000;

/** Whether the engine serves the Electron window or a browser tab (set by whoever forks the engine). */
export function hostMode(env: NodeJS.ProcessEnv = process.env): 'electron' | 'web' {
  return env.MULTICROP_HOST_MODE === 'electron' ? 'electron' : 'web';
}


async function listDir(path: string): Promise<DirListing> {
  const abs = resolve(path);
  if (abs !== path.replace(/[\\/]+$/, '') && abs !== path) {
    throw new StudioFailure('bad_input', `"${path}" is not an absolute, normalised path; give a full path such as /home/you/images`);
  }
  let info;
  try {
    info = await stat(abs);
  } catch {
    throw new StudioFailure('not_found', `Folder "${abs}" does not exist; check the path`);
  }
  if (!info.isDirectory()) throw new StudioFailure('bad_input', `"${abs}" is a file, not a folder; choose its parent folder`);
  let dirents;
  try {
    dirents = await readdir(abs, { withFileTypes: true });
  } catch (e) {
    throw new StudioFailure('forbidden', `Folder "${abs}" cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); check its permissions`);
  }
  const entries = dirents
    .filter((d) => !d.name.startsWith('.'))
    .map((d) => ({ name: d.name, path: join(abs, d.name), isDir: d.isDirectory() }))
    .sort((a, b) => (a.isDir === b.isDir ? a.name.localeCompare(b.name) : a.isDir ? -1 : 1))
    .slice(0, MAX_ENTRIES);
  const parent = dirname(abs);
  return { path: abs, parent: parent === abs ? null : parent, entries };
}

export const appHandlers: PartialHandlerTable = {
  'app:info': async (_req, ctx) => ({
    version: pkg.version,
    mode: hostMode(),
    platform: process.platform,
    dataDir: ctx.dataDir,
    runsDir: ctx.runsDir,
    sampleDatasetDir: sampleDatasetPath(ctx.dataDir),
    canPickFolder: hostMode() === 'electron',
  }),
  'fs:listDir': async (req) => listDir(req.path),
  // The engine's context persists every allowed root to <data>/allowed-roots.json; recent datasets are read from there.
  'dataset:openSample': async (_req, ctx) => {
    const jobId = `sample-${Date.now()}`;
    const label = 'Generating the sample dataset';
    let last = 0;
    const dir = await ensureSampleDataset(ctx.dataDir, (done, total) => {
      const now = Date.now();
      if (done === total || now - last > 100) {
        last = now;
        ctx.emit('progress', { jobId, label, done, total });
      }
    });
    ctx.allowRoot(dir);
    return dir;
  },
  'dataset:recent': async (_req, ctx) => new AllowedRoots(ctx.dataDir).recentDatasets(),
};
