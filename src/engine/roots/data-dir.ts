// Where the per-user data lives: MULTICROP_DATA_DIR, else (Electron passes userData) XDG_DATA_HOME or ~/.local/share, + multicrop-studio.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const DATA_DIR_ENV = 'MULTICROP_DATA_DIR';

/** The data folder; `electronUserData` is given only by the Electron main process. */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env, electronUserData?: string): string {
  const explicit = env[DATA_DIR_ENV];
  if (explicit && explicit.trim()) return resolve(explicit);
  if (electronUserData) return resolve(electronUserData);
  const xdg = env.XDG_DATA_HOME && env.XDG_DATA_HOME.trim() ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return resolve(xdg, 'multicrop-studio');
}

/** Training runs live in <data>/runs. */
export function runsDirOf(dataDir: string): string {
  return join(dataDir, 'runs');
}
