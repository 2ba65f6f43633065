// Builds the compute window's trainer bundle (src/compute) for the browser with esbuild: out/compute/index.html + compute-page.js, and its Electron preload (src/preload/compute.ts) as out/compute/preload.cjs.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'out/compute');
mkdirSync(out, { recursive: true });
execFileSync(
  join(root, 'node_modules/.bin/esbuild'),
  [
    join(root, 'src/compute/compute-page.ts'),
    '--bundle',
    '--format=esm',
    '--platform=browser',
    '--target=chrome120',
    // tfjs backends register themselves on import although their package.json says sideEffects: false.
    '--ignore-annotations',
    `--outfile=${join(out, 'compute-page.js')}`,
    // Node-only paths, never taken in a window (Dawn, native TensorFlow, the wasm binaries' location).
    ...['webgpu', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', 'node:*'].map((e) => `--external:${e}`),
    '--log-level=warning',
  ],
  { stdio: 'inherit' },
);
copyFileSync(join(root, 'src/compute/index.html'), join(out, 'index.html'));
// A sandboxed preload is one self-contained CommonJS file that may require only 'electron' (electron-vite's preload build takes one entry).
execFileSync(
  join(root, 'node_modules/.bin/esbuild'),
  [join(root, 'src/preload/compute.ts'), '--bundle', '--format=cjs', '--platform=node', '--target=node22', '--external:electron', `--outfile=${join(out, 'preload.cjs')}`, '--log-level=warning'],
  { stdio: 'inherit' },
);
