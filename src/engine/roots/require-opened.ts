// The check every handler applies to a path that came from a page: it must lie in a folder the person opened (or the runs folder).
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { StudioFailure } from '../studio-failure';
import type { HandlerContext } from '../handlers/handler-types';

/**
 * `path` resolved, if it lies inside an opened folder or the runs folder; otherwise a 'forbidden' failure naming it.
 * `what` says in a person's words what the path is ("the dataset folder", "the weights file").
 */
export function requireOpened(ctx: Pick<HandlerContext, 'isAllowed'>, path: string, what: string): string {
  if (!isAbsolute(path)) {
    throw new StudioFailure('bad_input', `${what} "${path.slice(0, 200)}" is not a full path; give the whole path, e.g. /home/you/images`);
  }
  const abs = resolve(path);
  if (!ctx.isAllowed(abs)) {
    if (!existsSync(abs)) throw new StudioFailure('not_found', `${what} ${abs.slice(0, 400)} does not exist; check the path`);
    throw new StudioFailure(
      'forbidden',
      `${what} ${abs.slice(0, 400)} is not in a folder you opened; open its folder first (Dataset screen, "Open folder") and try again`,
    );
  }
  return abs;
}
