// The checks a dataset folder named in a request must pass (absolute, existing, a folder), with messages that say what to pick instead.
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { StudioFailure } from '../studio-failure';

/**
 * `path` resolved, once it is absolute, passes `confine` (e.g. requireOpened: it runs before anything touches the disk,
 * so an unopened path reveals nothing about itself), exists and is a folder.
 */
export async function requireDatasetFolder(path: string, confine: (abs: string) => void = () => undefined): Promise<string> {
  if (!isAbsolute(path)) {
    // A relative path would be resolved against the engine's working folder and train on (and open) a folder nobody chose.
    throw new StudioFailure('bad_input', `dataset folder "${path.slice(0, 200)}" is not an absolute path; give the full path, e.g. /home/you/images`);
  }
  const root = resolve(path);
  confine(root);
  let st;
  try {
    st = await stat(root);
  } catch (e) {
    throw new StudioFailure('not_found', `dataset folder ${root} cannot be opened (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pick an existing folder`);
  }
  if (!st.isDirectory()) throw new StudioFailure('bad_input', `${root} is a file, not a folder; pick the folder that holds the images`);
  return root;
}
