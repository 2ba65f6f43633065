// Renders every view of one image for the Augmentation screen: boxes in source pixels, drawn ops, denormalised PNG (or JPEG) data URLs.
import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { AugmentConfig } from '../../shared/config-schema';
import type { PreviewResult, PreviewView } from '../../shared/ipc-contract';
import { StudioFailure } from '../studio-failure';
import { decodeImage, openSharp, type DecodedImage } from '../loader/decode-image';
import { newViewScratch, renderView } from '../loader/render-view';
import { drawImageViews } from './view-plan';

/** The last decoded source (the UI previews the same image many times while sliders move). */
let cache: { key: string; img: DecodedImage } | null = null;

async function decodeCached(path: string, maxPixels: number): Promise<DecodedImage> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'the file does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message;
    throw new StudioFailure('not_found', `cannot preview ${path}: ${why}; pick an image that exists`);
  }
  const key = `${path}\0${st.size}\0${st.mtimeMs}\0${maxPixels}`;
  if (cache?.key === key) return cache.img;
  let meta;
  try {
    meta = await openSharp(path, maxPixels).metadata();
  } catch (e) {
    throw new StudioFailure('bad_input', `${path} is not an image this app can read (${(e as Error).message}); pick a JPEG, PNG, WebP, GIF, TIFF or AVIF file`);
  }
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  const height = meta.autoOrient?.height ?? meta.height ?? 0;
  if (width * height > maxPixels) {
    throw new StudioFailure('bad_input', `${path} has ${width}x${height} pixels, more than the limit of ${maxPixels} (setting maxPixels)`);
  }
  let img: DecodedImage;
  try {
    img = await decodeImage(path, { width, height, format: String(meta.format), maxPixels });
  } catch (e) {
    throw new StudioFailure('bad_input', `cannot decode ${path} (${(e as Error).message}); the file may be truncated or damaged`);
  }
  cache = { key, img };
  return img;
}

/** Normalised planar floats -> RGB bytes (undo Normalize, x255, round, clamp). */
function denormalise(planar: Float32Array, size: number, c: AugmentConfig): Buffer {
  const n = size * size;
  const out = Buffer.alloc(3 * n);
  for (let ch = 0; ch < 3; ch++) {
    const m = c.mean[ch]!;
    const s = c.std[ch]!;
    for (let i = 0; i < n; i++) {
      const v = Math.round((planar[ch * n + i]! * s + m) * 255);
      out[3 * i + ch] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}

export interface PreviewOptions {
  maxPixels?: number;
  /** Which repetition (0, 1, ...): a different draw of every view from the same seed. */
  repeat?: number;
  /** How views are encoded: lossless PNG (files, tests) or JPEG quality 90, ~10x smaller for the UI's round trip. */
  format?: 'png' | 'jpeg';
}

/** Every view of `imagePath` under `config`, drawn from `seed` (image index 0, epoch = repeat). */
export async function renderPreview(imagePath: string, config: AugmentConfig, seed: number, opts: PreviewOptions = {}): Promise<PreviewResult> {
  const t0 = performance.now();
  const img = await decodeCached(imagePath, opts.maxPixels ?? 100_000_000);
  const draws = drawImageViews(config, seed, opts.repeat ?? 0, 0, img.width, img.height);
  const jpeg = opts.format === 'jpeg';
  const views: PreviewView[] = await Promise.all(
    draws.map(async (d) => {
      const planar = new Float32Array(3 * d.spec.size * d.spec.size);
      renderView(img, d.box, d.spec.size, d.ops, config, planar, 0, newViewScratch());
      const raw = sharp(denormalise(planar, d.spec.size, config), { raw: { width: d.spec.size, height: d.spec.size, channels: 3 } });
      const bytes = await (jpeg ? raw.jpeg({ quality: 90 }) : raw.png({ compressionLevel: 1 })).toBuffer();
      const url = `data:image/${jpeg ? 'jpeg' : 'png'};base64,${bytes.toString('base64')}`;
      return { name: d.spec.name, kind: d.spec.kind, size: d.spec.size, box: d.box, ops: d.ops, png: url };
    }),
  );
  return { image: imagePath, width: img.width, height: img.height, seed, views, ms: performance.now() - t0 };
}
