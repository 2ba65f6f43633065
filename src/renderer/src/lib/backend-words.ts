// The compute backend in plain words for the header badge (the engine's own name and reason go in its details panel).
import type { BackendInfo } from '../../../shared/ipc-contract';

const WORDS: Record<string, string> = {
  tensorflow: 'CPU, native TensorFlow',
  wasm: 'CPU, WebAssembly',
  cpu: 'CPU, plain JavaScript (slowest)',
  webgpu: 'GPU, WebGPU',
};

/** "CPU, WebAssembly" for wasm and so on; an unknown backend is shown by its name. */
export function backendWords(b: Pick<BackendInfo, 'name'>): string {
  return WORDS[b.name] ?? b.name;
}
