// Checks one file from its header (format, oriented size, pixel limit) and its end (truncation) without decoding it.
import { open } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import type { SkipReason } from '../../shared/ipc-contract';

export type ProbeResult =
  | { ok: true; width: number; height: number; format: string }
  | { ok: false; reason: SkipReason; detail: string };

const SUPPORTED = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif']);

/** The first 32 bytes (throws when the file cannot be opened or read). */
async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(32);
    const { bytesRead } = await fh.read(buf, 0, 32, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The image format whose magic number starts `head`, if any. */
export function imageSignature(head: Buffer): string | null {
  const at = (o: number, bytes: number[]) => bytes.every((b, i) => head[o + i] === b);
  if (at(0, [0xff, 0xd8, 0xff])) return 'JPEG';
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'PNG';
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'GIF';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'WebP';
  if (at(0, [0x49, 0x49, 0x2a, 0x00]) || at(0, [0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF';
  if (head.subarray(4, 8).toString('latin1') === 'ftyp' && /avi[fs]/.test(head.subarray(8, 12).toString('latin1'))) return 'AVIF';
  return null;
}

/** Does the file end like a complete JPEG (EOI marker FF D9 near the end) or PNG (IEND chunk)? */
async function looksComplete(path: string, format: string, size: number): Promise<boolean> {
  if (format !== 'jpeg' && format !== 'png') return true;
  const tail = Math.min(size, 4096);
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(tail);
    await fh.read(buf, 0, tail, size - tail);
    if (format === 'jpeg') {
      for (let i = buf.length - 2; i >= 0; i--) if (buf[i] === 0xff && buf[i + 1] === 0xd9) return true;
      return false;
    }
    return buf.includes('IEND');
  } finally {
    await fh.close();
  }
}

/** Decode to nowhere, failing on truncation: only for files whose end looks wrong (confirms before we skip them). */
async function decodesFully(path: string, maxPixels: number): Promise<string | null> {
  try {
    await sharp(path, { failOn: 'truncated', limitInputPixels: maxPixels, pages: 1 }).raw().toBuffer();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Probe an image file of `size` bytes. Never throws.
 * Truncation: a JPEG without its EOI marker in the last 4 KiB or a PNG without IEND is decoded once with
 * sharp's failOn 'truncated'; if libjpeg/libpng report premature end of data, the file is skipped as 'truncated'.
 * Other damage inside a file is caught when the loader decodes it (also with failOn 'truncated').
 */
export async function probeImage(path: string, size: number, maxPixels: number): Promise<ProbeResult> {
  if (size === 0) return { ok: false, reason: 'empty', detail: 'the file has 0 bytes' };
  let meta: Metadata;
  try {
    meta = await sharp(path, { limitInputPixels: false, pages: 1 }).metadata();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    let head: Buffer;
    try {
      head = await readHead(path);
    } catch (e2) {
      return { ok: false, reason: 'unreadable', detail: e2 instanceof Error ? e2.message : String(e2) };
    }
    // An image signature whose header cannot be parsed: the file was cut short (e.g. a PNG with only its IHDR).
    const kind = imageSignature(head);
    if (kind) return { ok: false, reason: 'truncated', detail: `${kind} signature but the header cannot be read: ${msg}` };
    return { ok: false, reason: 'not an image', detail: msg };
  }
  let format = String(meta.format);
  if (format === 'heif') {
    if (meta.compression !== 'av1') return { ok: false, reason: 'not an image', detail: `HEIF with ${meta.compression ?? 'unknown'} compression is not supported (AVIF is)` };
    format = 'avif';
  }
  if (!SUPPORTED.has(format)) return { ok: false, reason: 'not an image', detail: `format ${format} is not supported (JPEG, PNG, WebP, GIF, TIFF, AVIF are)` };
  const w = meta.autoOrient?.width ?? meta.width;
  const h = meta.autoOrient?.height ?? meta.height;
  if (!w || !h) return { ok: false, reason: 'not an image', detail: 'the header declares no size' };
  if (w * h > maxPixels) {
    return { ok: false, reason: 'too many pixels', detail: `${w}x${h} = ${w * h} pixels exceeds the limit of ${maxPixels} (setting maxPixels)` };
  }
  try {
    if (!(await looksComplete(path, format, size))) {
      const err = await decodesFully(path, maxPixels);
      if (err !== null) return { ok: false, reason: 'truncated', detail: err };
    }
  } catch (e) {
    return { ok: false, reason: 'unreadable', detail: e instanceof Error ? e.message : String(e) };
  }
  return { ok: true, width: w, height: h, format };
}
