// Every backend the engine knows, and the order 'auto' tries them in: adding a backend is one descriptor file and one entry here.
import * as tf from '../tf/tfjs';
import type { BackendDescriptor, BackendName } from './backend-descriptor';
import { cpuBackend } from './cpu-backend';
import { tensorflowBackend } from './tensorflow-backend';
import { wasmBackend } from './wasm-backend';
import { webgpuBackend } from './webgpu-backend';

export const BACKENDS: Record<BackendName, BackendDescriptor> = {
  webgpu: webgpuBackend,
  tensorflow: tensorflowBackend,
  wasm: wasmBackend,
  cpu: cpuBackend,
};

/** 'auto': a hardware WebGPU adapter, then native TensorFlow, then wasm, then cpu. */
export const AUTO_ORDER: readonly BackendName[] = ['webgpu', 'tensorflow', 'wasm', 'cpu'];

export const BACKEND_NAMES = Object.keys(BACKENDS) as BackendName[];

export function isBackendName(s: string): s is BackendName {
  return Object.hasOwn(BACKENDS, s);
}

/** The descriptor of the backend tfjs runs now in this thread (cpu when none started yet, as tfjs would). */
export function activeBackend(): BackendDescriptor {
  // engine().backendName does not start a backend (tf.getBackend() would start the highest-priority one).
  const name = tf.engine().backendName;
  return name && isBackendName(name) ? BACKENDS[name] : cpuBackend;
}
