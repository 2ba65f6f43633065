// Picks and initialises the TensorFlow.js backend: native tensorflow (GPU, then CPU) when installed, else wasm, else cpu.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from './tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendInfo } from '../../shared/ipc-contract';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

const requireHere = createRequire(import.meta.url);

/** Folder holding tfjs-backend-wasm's .wasm binaries, resolved at run time from node_modules. */
export function wasmDistDir(): string {
  return join(dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

/**
 * tfjs-node(-gpu) registers a 'tensorflow' backend on the tfjs-core it resolves. When npm de-duplicated it to ours,
 * the backend appears in our registry; a nested copy of tfjs-core would register it elsewhere (reported as such).
 */
async function tryNative(pkg: string): Promise<string | null> {
  try {
    await import(/* @vite-ignore */ pkg);
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0] ?? '';
    return /Cannot find (package|module)/.test(msg) || (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND'
      ? `${pkg} is not installed`
      : `${pkg} failed to load (${msg})`;
  }
  if (!tf.findBackend('tensorflow') && !tf.engine().registryFactory['tensorflow']) {
    return `${pkg} loaded but registered its backend on a different copy of @tensorflow/tfjs-core; install versions that share one tfjs-core (${tf.version_core})`;
  }
  try {
    if (await tf.setBackend('tensorflow')) return null;
    return `${pkg} loaded but its backend did not initialise`;
  } catch (e) {
    return `${pkg} backend failed to initialise (${(e as Error).message})`;
  }
}

let wasmReady = false;

async function tryWasm(threads?: number): Promise<string | null> {
  try {
    if (!wasmReady) {
      setWasmPaths(wasmDistDir());
      wasmReady = true;
    }
    if (threads && threads > 0) setThreadsCount(threads);
    if (await tf.setBackend('wasm')) return null;
    return 'the wasm backend did not initialise';
  } catch (e) {
    return `the wasm backend failed (${(e as Error).message})`;
  }
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

/**
 * Initialise a backend. 'auto' tries tfjs-node-gpu, tfjs-node, wasm, cpu in that order; the reason says why earlier
 * candidates were passed over. An explicit preference that fails falls back the same way, and says so.
 */
export async function initBackend(pref: BackendPreference = 'auto'): Promise<BackendInfo> {
  const skipped: string[] = [];
  if (pref === 'auto' || pref === 'tensorflow') {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      const why = await tryNative(pkg);
      if (!why) {
        const lead = pref === 'tensorflow' ? 'requested' : 'auto';
        return { name: 'tensorflow', reason: `${lead}: native TensorFlow via ${pkg}${skipped.length ? ` (${skipped.join('; ')})` : ''}` };
      }
      skipped.push(why);
    }
  }
  if (pref !== 'cpu') {
    const why = await tryWasm();
    if (!why) {
      const f = await wasmFeatures();
      const how = `SIMD ${f.simd ? 'on' : 'off'}, ${f.threads} thread${f.threads === 1 ? '' : 's'} (tfjs disables wasm threads under Node)`;
      const lead = pref === 'wasm' ? 'requested' : pref === 'tensorflow' ? 'tensorflow unavailable, fell back to wasm' : 'auto';
      return { name: 'wasm', reason: `${lead}: WebAssembly, ${how}${skipped.length ? `; ${skipped.join('; ')}` : ''}` };
    }
    skipped.push(why);
  }
  await tf.setBackend('cpu');
  const lead = pref === 'cpu' ? 'requested' : `${pref} unavailable, fell back to cpu`;
  return { name: 'cpu', reason: `${lead}: plain JavaScript${skipped.length ? `; ${skipped.join('; ')}` : ''}` };
}
