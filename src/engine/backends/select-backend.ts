// The one place a backend is chosen: start the preferred one (or the first of 'auto' that works) and report why.
import type { BackendInfo } from '../../shared/ipc-contract';
import type { BackendDescriptor, BackendName, BackendPreference, StartOptions } from './backend-descriptor';
import { AUTO_ORDER, BACKENDS } from './backend-registry';
import { probeWebGpuAdapter } from './webgpu-adapter';
import type { AdapterInfo } from '../../shared/ipc-contract';

function infoOf(d: BackendDescriptor, reason: string, adapter: AdapterInfo | null): BackendInfo {
  return { name: d.name, reason, attention: d.attention, deterministic: d.deterministic, memory: d.memory.kind, adapter };
}

/** After an explicit backend that fails: the rest of auto's order below it (cpu always works). */
function fallbacksAfter(name: BackendName): BackendName[] {
  const i = AUTO_ORDER.indexOf(name);
  return AUTO_ORDER.slice(i + 1);
}

/**
 * Initialise a backend in this thread. 'auto' tries AUTO_ORDER; the reason says why earlier candidates were passed
 * over. An explicit preference that fails falls back down the same order, and says so.
 */
export async function startBackend(pref: BackendPreference = 'auto', opts: Omit<StartOptions, 'requested'> = {}): Promise<BackendInfo> {
  const order = pref === 'auto' ? [...AUTO_ORDER] : [pref, ...fallbacksAfter(pref)];
  const skipped: string[] = [];
  for (const name of order) {
    const d = BACKENDS[name];
    const r = await d.start({ ...opts, requested: pref });
    if (r.ok) {
      const lead = pref === 'auto' ? 'auto' : name === pref ? 'requested' : `${pref} unavailable, fell back to ${name}`;
      return infoOf(d, `${lead}: ${r.detail}${skipped.length ? `; ${skipped.join('; ')}` : ''}`, r.adapter ?? null);
    }
    skipped.push(r.why);
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.join('; ')}`);
}

let nativeInstalled: boolean | null = null;

/** True when the native TensorFlow binding (tfjs-node-gpu, an optional dependency) is installed (node:module imported here so this file also loads in a window). */
async function hasNativeBinding(): Promise<boolean> {
  if (nativeInstalled === null) {
    try {
      const { createRequire } = await import('node:module');
      createRequire(import.meta.url).resolve('@tensorflow/tfjs-node-gpu');
      nativeInstalled = true;
    } catch {
      nativeInstalled = false;
    }
  }
  return nativeInstalled;
}

/**
 * The backend a preference would start here, without starting it (for the memory estimate before a run): the
 * WebGPU adapter is probed (cheap), native TensorFlow is assumed to work when installed.
 */
export async function predictBackend(pref: BackendPreference): Promise<{ name: BackendName; adapter: AdapterInfo | null }> {
  const order = pref === 'auto' ? [...AUTO_ORDER] : [pref, ...fallbacksAfter(pref)];
  for (const name of order) {
    if (name === 'webgpu') {
      const p = await probeWebGpuAdapter();
      if (p.ok && (!p.adapter.software || pref === 'webgpu')) return { name, adapter: p.adapter };
      continue;
    }
    if (name === 'tensorflow' && !(await hasNativeBinding())) continue;
    return { name, adapter: null };
  }
  return { name: 'cpu', adapter: null };
}
