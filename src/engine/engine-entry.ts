// Locates the engine's entry: out/main/engine.js when built, else src/engine/engine-process.ts run through tsx.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface EngineEntry {
  file: string;
  execArgv: string[];
}

/** `here` is import.meta.url of the calling module (inside out/main/** when built, inside src/** otherwise). */
export function engineEntry(here: string): EngineEntry {
  const file = fileURLToPath(here);
  if (file.endsWith('.ts')) {
    const repo = findRepoRoot(dirname(file));
    return { file: join(repo, 'src/engine/engine-process.ts'), execArgv: ['--import', 'tsx'] };
  }
  let dir = dirname(file);
  if (basename(dir) === 'chunks') dir = dirname(dir);
  const built = join(dir, 'engine.js');
  if (!existsSync(built)) throw new Error(`engine entry ${built} is missing; run "npm run build"`);
  return { file: built, execArgv: [] };
}

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src/engine/engine-process.ts'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the project root above ${start}`);
    dir = up;
  }
}
