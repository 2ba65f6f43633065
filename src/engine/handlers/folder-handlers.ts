// Engine handlers for the opened folders: folders:open (the person's deliberate act), folders:list and folders:remove (shown on the Dataset screen).
import { realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { OpenedFolders } from '../../shared/ipc-contract';
import { StudioFailure } from '../studio-failure';
import { type HandlerContext, type PartialHandlerTable } from './handler-types';

function listing(ctx: HandlerContext): OpenedFolders {
  return { folders: ctx.openedFolders(), runsDir: ctx.runsDir };
}

export const folderHandlers: PartialHandlerTable = {
  async 'folders:open'(req, ctx) {
    if (!isAbsolute(req.path)) {
      throw new StudioFailure('bad_input', `folder "${req.path.slice(0, 200)}" is not a full path; give the whole path, e.g. /home/you/images`);
    }
    const abs = resolve(req.path);
    let st;
    try {
      st = await stat(abs);
    } catch {
      throw new StudioFailure('not_found', `the folder ${abs} does not exist; check the path`);
    }
    if (!st.isDirectory()) throw new StudioFailure('bad_input', `${abs} is a file, not a folder; open the folder that holds it`);
    const real = await realpath(abs);
    // Opening / would hand every file on the machine to the page.
    if (dirname(real) === real) throw new StudioFailure('forbidden', `${real} is the whole disk; open the folder that holds your images instead`);
    ctx.allowRoot(real);
    return listing(ctx);
  },
  async 'folders:list'(_req, ctx) {
    return listing(ctx);
  },
  async 'folders:remove'(req, ctx) {
    const abs = resolve(req.path);
    if (abs === resolve(ctx.runsDir)) throw new StudioFailure('bad_input', `the runs folder ${abs} is always open (runs are saved there); it cannot be removed`);
    if (!ctx.removeRoot(abs)) throw new StudioFailure('not_found', `${abs} is not in the list of opened folders`);
    return listing(ctx);
  },
};
