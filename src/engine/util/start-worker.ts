// Start one of the engine's worker-thread programs: the built out/main/NAME.js, or from source (.ts: tests, dev) through tsx.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Start the worker program `name` (e.g. 'loader-worker') that sits beside the calling module, whose `import.meta.url`
 * is `callerUrl`. From source a small bootstrap registers tsx's loader in the worker thread and imports NAME.ts (Node 20
 * does not apply `--import tsx` from a Worker's execArgv to the worker's ESM loader). Built, the caller sits in
 * out/main/*.js or out/main/chunks/*.js and the entry is out/main/NAME.js (each worker is its own build entry).
 */
export function startWorker(name: string, callerUrl: string, workerData: unknown): Worker {
  if (callerUrl.endsWith('.ts')) {
    const entry = new URL(`./${name}.ts`, callerUrl).href;
    const tsxApi = pathToFileURL(createRequire(callerUrl).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(boot, { eval: true, workerData });
  }
  for (const rel of [`./${name}.js`, `../${name}.js`]) {
    const url = new URL(rel, callerUrl);
    if (existsSync(fileURLToPath(url))) return new Worker(url, { workerData });
  }
  throw new Error(`${name}.js not found beside ${fileURLToPath(callerUrl)}; rebuild the app (npm run build)`);
}
