// The WebAssembly backend (SIMD, one thread under Node): the default where no GPU or native TensorFlow is usable.
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf/tfjs';
import { installWasmSlice } from './wasm-slice';
import type { BackendDescriptor } from './backend-descriptor';

/**
 * Folder holding tfjs-backend-wasm's .wasm binaries, resolved at run time from node_modules (Node only: node:module
 * is imported here, not at the top, so that this descriptor also loads in a browser window).
 */
export async function wasmDistDir(): Promise<string> {
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  return join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

/** Details of the wasm backend actually running (SIMD and threads as detected by tfjs). */
export async function wasmFeatures(): Promise<{ simd: boolean; threads: number }> {
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  let threads = 1;
  try {
    threads = getThreadsCount();
  } catch {
    threads = 1;
  }
  return { simd, threads };
}

let pathsSet = false;

export const wasmBackend: BackendDescriptor = {
  name: 'wasm',
  label: 'WebAssembly',
  // One loop kernel per attention layer (fused-attention-kernels.ts): at 17 tokens per view the per-(image, head)
  // 2-D matMuls of 'pairs' cost more in kernel calls than in arithmetic (bench-train: 376 vs 431 ms per cpu-small step).
  attention: 'fused',
  deterministic: true,
  // The heap cannot grow past 4 GiB - 64 KiB: chunk a batch so one pass's activations stay well inside it.
  memory: { kind: 'wasm-heap', activationBudgetBytes: 1.2e9, copiesInput: true },
  // Kernels run on one thread: up to one data-parallel replica per core (assemble-run.ts picks a count dividing the batch).
  replicas: (cores) => cores,
  async start(opts) {
    try {
      if (!pathsSet) {
        setWasmPaths(await wasmDistDir());
        pathsSet = true;
      }
      if (opts.threads && opts.threads > 0) setThreadsCount(opts.threads);
      if (!(await tf.setBackend('wasm'))) return { ok: false, why: 'the wasm backend did not initialise' };
    } catch (e) {
      return { ok: false, why: `the wasm backend failed (${(e as Error).message})` };
    }
    installWasmSlice();
    const f = await wasmFeatures();
    return { ok: true, detail: `WebAssembly, SIMD ${f.simd ? 'on' : 'off'}, ${f.threads} thread${f.threads === 1 ? '' : 's'} (tfjs disables wasm threads under Node)` };
  },
};
