// Export a checkpoint's teacher backbone (optionally with its DINO head) to .safetensors under the official DINO key names.
import type { NamedTensors } from '../train/step-types';
import { serializeSafetensors } from './safetensors';
import { writeExportFile } from './write-export-file';

export interface ExportInfo {
  arch: string;
  patchSize: number;
  depth: number;
  /** Where the tensors came from (run folder + checkpoint name), stored in the file's metadata. */
  source: string;
}

/**
 * The tensors to write. Backbone only: the bare vision_transformer.py names, so
 * `vits.vit_small(patch_size=16).load_state_dict(sd, strict=True)` loads them. With the head: the
 * MultiCropWrapper layout of DINO checkpoints ('backbone.*' + 'head.*'), as under checkpoint['teacher'].
 */
export function exportTensors(teacher: NamedTensors, includeHead: boolean): NamedTensors {
  const out: NamedTensors = {};
  let heads = 0;
  for (const [k, t] of Object.entries(teacher)) {
    const isHead = k.startsWith('head.');
    if (isHead) heads++;
    if (isHead && !includeHead) continue;
    out[includeHead && !isHead ? 'backbone.' + k : k] = { shape: t.shape.slice(), data: t.data };
  }
  if (includeHead && heads === 0) throw new Error('the checkpoint teacher holds no head.* tensors, so --include-head has nothing to export');
  return out;
}

/** safetensors metadata: 'format: pt' as safetensors.torch writes, plus what the file holds. */
export function exportMetadata(info: ExportInfo, includeHead: boolean): Record<string, string> {
  return {
    format: 'pt',
    producer: 'multicrop-studio',
    arch: info.arch,
    patch_size: String(info.patchSize),
    depth: String(info.depth),
    layout: includeHead ? 'MultiCropWrapper (backbone.* + head.*)' : 'vision_transformer backbone',
    source: info.source,
  };
}

/** Write the file atomically (mode 0644; an existing file only when `replace`); returns its size in bytes. */
export async function writeExport(out: string, tensors: NamedTensors, metadata: Record<string, string>, replace = false): Promise<number> {
  const bytes = serializeSafetensors(tensors, metadata);
  await writeExportFile(out, bytes, { mode: 0o644, replace });
  return bytes.byteLength;
}
