// Decodes a source image once to oriented 8-bit RGB with sharp, shrinking on load (JPEG/WebP) when every crop allows it.
import sharp, { type Sharp } from 'sharp';
import type { CropBox } from '../../shared/ipc-contract';

export interface DecodedImage {
  data: Buffer; // interleaved RGB, width * height * 3 bytes
  width: number;
  height: number;
  /** Decoded pixels per source pixel (1 without shrink-on-load, about 1/2, 1/4, 1/8 with it). */
  scaleX: number;
  scaleY: number;
}

export interface DecodeOptions {
  /** Oriented source size (from the scan). */
  width: number;
  height: number;
  format: string;
  /** Pixel limit; larger images fail before decoding. */
  maxPixels: number;
  /** Crops to be taken with their output sizes: shrink-on-load only when every crop still has >= size pixels per side. */
  crops?: { box: CropBox; size: number }[];
}

const SHRINKABLE = new Set(['jpeg', 'jpg', 'webp']);

/** Largest JPEG/WebP load shrink (1, 2, 4, 8) that keeps every crop at or above its output size. */
export function loadShrinkFactor(format: string, crops: { box: CropBox; size: number }[] | undefined): number {
  if (!crops || crops.length === 0 || !SHRINKABLE.has(format)) return 1;
  let allowed = Infinity;
  for (const { box, size } of crops) allowed = Math.min(allowed, Math.min(box.w, box.h) / size);
  for (const s of [8, 4, 2]) if (allowed >= s) return s;
  return 1;
}

/** sharp pipeline shared by the scan's test decode, the loader and the preview: first frame/page, EXIF orientation, sRGB. */
export function openSharp(input: string | Buffer, maxPixels: number): Sharp {
  return sharp(input, { failOn: 'truncated', limitInputPixels: maxPixels, page: 0, pages: 1 }).autoOrient();
}

/** Decode to RGB bytes. Alpha is dropped (as PIL's convert('RGB')); grey, palette, CMYK and 16-bit become 8-bit sRGB. */
export async function decodeImage(path: string, opts: DecodeOptions): Promise<DecodedImage> {
  const shrink = loadShrinkFactor(opts.format, opts.crops);
  let pipeline = openSharp(path, opts.maxPixels);
  if (shrink > 1) {
    pipeline = pipeline.resize(Math.ceil(opts.width / shrink), Math.ceil(opts.height / shrink), { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: true });
  }
  const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded ${info.channels} channels instead of 3`);
  return { data, width: info.width, height: info.height, scaleX: info.width / opts.width, scaleY: info.height / opts.height };
}

/** The crop of `box` (source pixels) resized bicubically to size x size RGB bytes. */
export async function cropResize(img: DecodedImage, box: CropBox, size: number): Promise<Buffer> {
  const left = Math.min(img.width - 1, Math.round(box.x * img.scaleX));
  const top = Math.min(img.height - 1, Math.round(box.y * img.scaleY));
  const w = Math.max(1, Math.min(img.width - left, Math.round(box.w * img.scaleX)));
  const h = Math.max(1, Math.min(img.height - top, Math.round(box.h * img.scaleY)));
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .extract({ left, top, width: w, height: h })
    .resize(size, size, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
}
