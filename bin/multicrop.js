#!/usr/bin/env node
// The `multicrop` command: runs the built CLI (out/main/cli.js); build it first with `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write(`multicrop: ${cli} is missing; run "npm run build" in ${fileURLToPath(new URL('..', import.meta.url))} first.\n`);
  process.exit(1);
}
await import(pathToFileURL(cli).href);
