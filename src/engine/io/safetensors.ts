// Read and write .safetensors files (the format of PyTorch / Hugging Face weights) as named float32 host tensors.
import { readFile, writeFile } from 'node:fs/promises';
import type { HostTensor, NamedTensors } from '../train/step-types';

export interface SafetensorsContent {
  tensors: NamedTensors;
  metadata: Record<string, string>;
}

const DTYPE_BYTES: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2 };

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Parse a safetensors buffer; F32 is read exactly, F64/F16/BF16 are converted to float32. */
export function parseSafetensors(buf: Uint8Array, source = 'safetensors data'): SafetensorsContent {
  if (buf.byteLength < 8) throw new Error(`${source} is not a safetensors file: it is only ${buf.byteLength} bytes long`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > buf.byteLength - 8 || headerLen > 100_000_000) {
    throw new Error(`${source} is not a safetensors file: its header length ${headerLen} exceeds the file size`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + headerLen))) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${source} is not a safetensors file: its header is not JSON (${(e as Error).message})`);
  }
  const dataStart = 8 + headerLen;
  const tensors: NamedTensors = {};
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const bytes = DTYPE_BYTES[dtype];
    if (!bytes) throw new Error(`${source}: tensor ${name} has dtype ${dtype}; only F32, F64, F16 and BF16 are supported`);
    const count = shape.reduce((a, b) => a * b, 1);
    const [begin, end] = data_offsets;
    if (end - begin !== count * bytes || dataStart + end > buf.byteLength) {
      throw new Error(`${source}: tensor ${name} has inconsistent offsets [${begin}, ${end}] for shape [${shape.join(', ')}] ${dtype}`);
    }
    const at = dataStart + begin;
    const data = new Float32Array(count);
    const dv = new DataView(buf.buffer, buf.byteOffset + at, count * bytes);
    for (let i = 0; i < count; i++) {
      if (dtype === 'F32') data[i] = dv.getFloat32(i * 4, true);
      else if (dtype === 'F64') data[i] = dv.getFloat64(i * 8, true);
      else if (dtype === 'F16') data[i] = f16ToF32(dv.getUint16(i * 2, true));
      else data[i] = new Float32Array(new Uint32Array([dv.getUint16(i * 2, true) << 16]).buffer)[0]!;
    }
    tensors[name] = { shape: shape.slice(), data };
  }
  return { tensors, metadata };
}

/** Serialise float32 tensors (keys sorted, header padded to 8 bytes) into a safetensors buffer. */
export function serializeSafetensors(tensors: NamedTensors, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new Error(`tensor ${name}: shape [${t.shape.join(', ')}] holds ${count} values but the data has ${t.data.length}`);
    }
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + count * 4] };
    offset += count * 4;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let headerBytes = enc.encode(json);
  const pad = (8 - (headerBytes.length % 8)) % 8;
  if (pad) {
    json += ' '.repeat(pad);
    headerBytes = enc.encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name]!;
    const dv = new DataView(out.buffer, at, t.data.length * 4);
    for (let i = 0; i < t.data.length; i++) dv.setFloat32(i * 4, t.data[i]!, true);
    at += t.data.length * 4;
  }
  return out;
}

export async function readSafetensors(path: string): Promise<SafetensorsContent> {
  let buf: Uint8Array;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new Error(`cannot read weights file ${path}: ${(e as Error).message}`);
  }
  return parseSafetensors(buf, path);
}

/** Write a safetensors file (the caller decides about atomic renames). */
export async function writeSafetensors(path: string, tensors: NamedTensors, metadata: Record<string, string> = {}): Promise<void> {
  await writeFile(path, serializeSafetensors(tensors, metadata));
}

export type { HostTensor };
