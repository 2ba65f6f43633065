// When a run's steps go to a compute window: in Electron (where Dawn's Node addon cannot load and a utilityProcess has no navigator.gpu) for the webgpu and auto preferences.
import type { ComputeBackend } from '../../compute/compute-protocol';
import type { BackendPreference } from './backend-descriptor';

/**
 * What the compute window is asked for, or null when the run trains in the engine itself. `inElectron`: the engine
 * runs inside Electron (process.versions.electron), whose WebGPU lives only in its windows. 'webgpu' takes any
 * adapter (a software one too, as --backend webgpu does); 'auto' only a hardware one, and otherwise the engine's own
 * auto order (native TensorFlow, wasm, cpu) trains.
 */
export function computeWindowBackend(pref: BackendPreference, inElectron: boolean): ComputeBackend | null {
  if (!inElectron) return null;
  if (pref === 'webgpu') return 'webgpu';
  if (pref === 'auto') return 'auto';
  return null;
}
