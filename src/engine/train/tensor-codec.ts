// Checkpoint tensor files: NamedTensors <-> safetensors bytes (exact float32), via the shared safetensors reader/writer.
import { parseSafetensors, serializeSafetensors } from '../io/safetensors';
import type { NamedTensors } from './step-types';

export function encodeTensors(tensors: NamedTensors): Uint8Array {
  return serializeSafetensors(tensors, { format: 'multicrop-checkpoint' });
}

export function decodeTensors(bytes: Uint8Array, source = 'checkpoint tensor file'): NamedTensors {
  return parseSafetensors(bytes, source).tensors;
}
