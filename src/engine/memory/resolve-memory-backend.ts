// Which tfjs backend a configuration's memory estimate is for: the configured one, or what 'auto' would pick here.
import { createRequire } from 'node:module';
import type { StudioConfig } from '../../shared/config-schema';
import type { MemoryBackend } from './estimate-memory';

let nativeAvailable: boolean | null = null;

/** True when the native TensorFlow binding (tfjs-node-gpu, an optional dependency) is installed. */
function hasNativeBinding(): boolean {
  if (nativeAvailable === null) {
    try {
      createRequire(import.meta.url).resolve('@tensorflow/tfjs-node-gpu');
      nativeAvailable = true;
    } catch {
      nativeAvailable = false;
    }
  }
  return nativeAvailable;
}

/** 'auto' picks tensorflow (native) when installed, else wasm (the cpu backend is only chosen explicitly). */
export function resolveMemoryBackend(backend: StudioConfig['backend']): MemoryBackend {
  if (backend !== 'auto') return backend;
  return hasNativeBinding() ? 'tensorflow' : 'wasm';
}
