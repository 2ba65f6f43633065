// Decodes a source image once to oriented 8-bit RGB with sharp (shrinking on load when every crop allows it) and cuts views from it.
import { readFile } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import type { CropBox } from '../../shared/ipc-contract';
import { cropResampleToPlanar } from './crop-resample';

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

/**
 * sharp pipeline shared by the loader and the preview: first frame/page, EXIF orientation, failing on truncated data.
 * Embedded ICC profiles are ignored, as PIL's Image.convert('RGB') in torchvision/DINO ignores them (the pixel values
 * the recipe sees); applying them would also cost about 3.5 ms per photo here (lcms transform).
 */
export function openSharp(input: string | Buffer, maxPixels: number): Sharp {
  return sharp(input, { failOn: 'truncated', limitInputPixels: maxPixels, page: 0, pages: 1, ignoreIcc: true }).autoOrient();
}

/** Decode to RGB bytes. Alpha is dropped (as PIL's convert('RGB')); grey, palette, CMYK and 16-bit become 8-bit sRGB. */
export async function decodeImage(path: string, opts: DecodeOptions): Promise<DecodedImage> {
  const shrink = loadShrinkFactor(opts.format, opts.crops);
  // read the file ourselves: libvips reading from a path costs ~0.3 ms more per photo than from a buffer here
  let pipeline = openSharp(await readFile(path), opts.maxPixels);
  if (shrink > 1) {
    pipeline = pipeline.resize(Math.ceil(opts.width / shrink), Math.ceil(opts.height / shrink), { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: true });
  }
  const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded ${info.channels} channels instead of 3`);
  return { data, width: info.width, height: info.height, scaleX: info.width / opts.width, scaleY: info.height / opts.height };
}

/** A crop box in source pixels, in the pixels of the decoded (maybe shrunk-on-load) image. */
export function decodedBox(img: DecodedImage, box: CropBox): CropBox {
  return { x: box.x * img.scaleX, y: box.y * img.scaleY, w: box.w * img.scaleX, h: box.h * img.scaleY };
}

/** A view's crop, resized bicubically (Pillow semantics) and flipped if asked, as planar floats in [0,1] in `work`
 * (the TypeScript kernel: render-view.ts uses the WebAssembly one when the runtime has SIMD). */
export function cropView(img: DecodedImage, box: CropBox, size: number, flip: boolean, work: Float32Array, scratch: { tmp: Float32Array }): void {
  cropResampleToPlanar(img.data, img.width, img.height, decodedBox(img, box), size, flip, work, scratch);
}
