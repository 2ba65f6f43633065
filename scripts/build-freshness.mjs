// Whether out/ is missing or older than the sources it is built from (used by `npm start` to rebuild before running).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The files `npm start` runs; all must exist. */
export const BUILD_OUTPUTS = ['out/main/index.js', 'out/main/cli.js', 'out/main/engine.js', 'out/preload/index.cjs', 'out/renderer/index.html'];

/** Folders and files the build reads (a change in any of them makes out/ stale). */
export const BUILD_INPUTS = ['src', 'resources', 'package.json', 'package-lock.json', 'electron.vite.config.ts', 'tsconfig.json', 'tsconfig.node.json', 'tsconfig.web.json'];

/** The newest file under `path` (a file or a folder, walked recursively), or null when there is none. */
function newestFile(path) {
  if (!existsSync(path)) return null;
  const st = statSync(path);
  if (!st.isDirectory()) return { path, mtimeMs: st.mtimeMs };
  let best = null;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const found = newestFile(join(path, entry.name));
    if (found && (!best || found.mtimeMs > best.mtimeMs)) best = found;
  }
  return best;
}

/**
 * Why out/ must be (re)built, or null when it is up to date: a missing output, or a source modified after
 * the oldest output was written.
 * @param {string} root the repository root
 * @returns {string | null}
 */
export function buildStaleReason(root) {
  const missing = BUILD_OUTPUTS.find((f) => !existsSync(join(root, f)));
  if (missing) return `${missing} is missing`;
  const builtAt = Math.min(...BUILD_OUTPUTS.map((f) => statSync(join(root, f)).mtimeMs));
  let newest = null;
  for (const input of BUILD_INPUTS) {
    const found = newestFile(join(root, input));
    if (found && (!newest || found.mtimeMs > newest.mtimeMs)) newest = found;
  }
  if (newest && newest.mtimeMs > builtAt) return `${relative(root, newest.path)} changed after the last build`;
  return null;
}
