// Finds the Electron binary without requiring the electron package (which would try to download it).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './web-host-fixture';

export function electronBinary(): { path: string } | { reason: string } {
  const pathFile = join(REPO, 'node_modules/electron/path.txt');
  if (!existsSync(pathFile)) return { reason: 'the Electron binary is not installed here (run "npx install-electron" on a machine with internet)' };
  const bin = join(REPO, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? { path: bin } : { reason: `the Electron binary ${bin} is missing (run "npx install-electron")` };
}

export function hasDisplay(): boolean {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}
