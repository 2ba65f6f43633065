// Checks one file from its header (format, oriented size, pixel limit) and its end (truncation) without decoding it.
import { open } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import type { SkipReason } from '../../shared/ipc-contract';

export type ProbeResult =
  | { ok: true; width: number; height: number; format: string }
  | { ok: false; reason: SkipReason; detail: string };

const SUPPORTED = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif']);

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
    if (/EACCES|EPERM|ENOENT|EISDIR|permission/i.test(msg)) return { ok: false, reason: 'unreadable', detail: msg };
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
