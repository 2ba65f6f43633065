// Finds the Electron binary without triggering the electron package's download (which needs the internet).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** { path } when the binary is installed, else { reason } saying why not and what to do. */
export function electronBinary() {
  const pkg = join(root, 'node_modules/electron');
  if (!existsSync(pkg)) return { reason: 'the electron package is not installed (run "npm ci")' };
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) {
    return { reason: 'the Electron binary is not downloaded (on a machine with internet, run "npx install-electron" once)' };
  }
  const bin = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(bin)) return { reason: `the Electron binary ${bin} is missing (run "npx install-electron" on a machine with internet)` };
  return { path: bin };
}

/** Whether a graphical display is available for a window. */
export function displayAvailable() {
  if (process.platform !== 'linux') return { ok: true };
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return { ok: true };
  return { ok: false, reason: 'no display (DISPLAY/WAYLAND_DISPLAY unset, e.g. over SSH)' };
}
