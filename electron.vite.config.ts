// Build of the three Electron parts: main (Electron main + engine process + CLI + loader/dino/training/probe/eval workers), preload (CommonJS), renderer (Vue).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

const root = import.meta.dirname;

/** Entries of out/main: every Node-side program shares one build (and its chunks). */
function mainInputs(): Record<string, string> {
  const inputs: Record<string, string> = {
    index: resolve(root, 'src/main/index.ts'),
    engine: resolve(root, 'src/engine/engine-process.ts'),
    cli: resolve(root, 'src/cli/main.ts'),
  };
  const worker = resolve(root, 'src/engine/loader/loader-worker.ts');
  if (existsSync(worker)) inputs['loader-worker'] = worker;
  const dinoWorker = resolve(root, 'src/engine/train/dino-worker.ts');
  if (existsSync(dinoWorker)) inputs['dino-worker'] = dinoWorker;
  const trainingWorker = resolve(root, 'src/engine/train/training-worker.ts');
  if (existsSync(trainingWorker)) inputs['training-worker'] = trainingWorker;
  const probeWorker = resolve(root, 'src/engine/train/probe-worker.ts');
  if (existsSync(probeWorker)) inputs['probe-worker'] = probeWorker;
  const evalWorker = resolve(root, 'src/engine/eval/eval-worker.ts');
  if (existsSync(evalWorker)) inputs['eval-worker'] = evalWorker;
  return inputs;
}

/** Every bare import stays in node_modules (tfjs-wasm finds its .wasm files there; sharp loads its native addon). */
const PACKAGE_IMPORT = /^(?![./\0])(?![A-Za-z]:[\\/])/;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      externalizeDeps: true,
      rolldownOptions: {
        input: mainInputs(),
        external: [PACKAGE_IMPORT],
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rolldownOptions: {
        // Sandboxed preloads cannot be ES modules: one self-contained CommonJS file.
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    // resources/ (the app's icon) is copied as is to out/renderer: the page's favicon.
    publicDir: resolve(root, 'resources'),
    plugins: [vue()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: { input: resolve(root, 'src/renderer/index.html') },
    },
  },
});
