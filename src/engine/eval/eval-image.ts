// Decode one image for evaluation (eval_knn.py's resize + centre crop, a short-side resize for attention, or as is) into normalised CHW floats.
import sharp, { type OutputInfo } from 'sharp';
import { RECIPE_DEFAULTS } from '../../shared/config-schema';
import { openSharp } from '../loader/decode-image';
import { cropResampleToPlanar } from '../loader/crop-resample';

export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/**
 * - 'none': the decoded pixels as they are (cropped at the bottom/right to a multiple of the patch size), as the
 *   golden cases of the official code were computed.
 * - 'center-crop': eval_knn.py's Resize(resize, bicubic) on the short side, then CenterCrop(crop).
 * - 'short-side': short side resized to `size` (aspect kept), then cropped at the bottom/right to a multiple of the
 *   patch size, as visualize_attention.py crops (it resizes to a fixed 480 x 480; we keep the aspect ratio).
 */
export type Preprocess =
  | { kind: 'none'; patch: number }
  | { kind: 'center-crop'; resize: number; crop: number }
  | { kind: 'short-side'; size: number; patch: number };

export interface EvalImage {
  path: string;
  /** [3, h, w] normalised with the ImageNet mean / std. */
  data: Float32Array;
  h: number;
  w: number;
  /** The same pixels as interleaved RGB bytes (for overlays). */
  rgb: Uint8Array;
}

/** eval_knn.py's crop for a model trained at `globalSize`: resize the short side to round(size * 256 / 224), crop `size`. */
export function evalCenterCrop(globalSize: number): Preprocess {
  return { kind: 'center-crop', resize: Math.round((globalSize * 256) / 224), crop: globalSize };
}

/** Python's round(): halves to even (torchvision's CenterCrop uses int(round(...))). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** torchvision Resize(int): the short side becomes `size`, the long side int(size * long / short). */
export function shortSideSize(w: number, h: number, size: number): { w: number; h: number } {
  if (w <= h) return { w: size, h: Math.floor((size * h) / w) };
  return { w: Math.floor((size * w) / h), h: size };
}

/** torchvision CenterCrop offsets. */
export function centerCropOffsets(w: number, h: number, crop: number): { left: number; top: number } {
  return { left: roundHalfEven((w - crop) / 2), top: roundHalfEven((h - crop) / 2) };
}

/** Interleaved RGB bytes -> planar normalised floats. */
export function normalizeRgb(rgb: Uint8Array, w: number, h: number, channels = 3): Float32Array {
  const n = w * h;
  const out = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) {
    const m = IMAGENET_MEAN[c]!;
    const s = IMAGENET_STD[c]!;
    for (let i = 0; i < n; i++) out[c * n + i] = (rgb[i * channels + c]! / 255 - m) / s;
  }
  return out;
}

/** Copy the top-left w x h of an interleaved RGB image. */
function cropTopLeft(src: Uint8Array, srcW: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) out.set(src.subarray(y * srcW * 3, (y * srcW + w) * 3), y * w * 3);
  return out;
}

/**
 * Decode (the loader's sharp pipeline: first frame, EXIF orientation, embedded ICC profiles ignored as PIL's
 * convert('RGB') does, alpha dropped) and apply the preprocessing. 'center-crop' resamples with the loader's Pillow
 * bicubic (Resize then CenterCrop equals resampling the crop's box of the source, as Pillow computes it).
 */
export async function loadEvalImage(path: string, pre: Preprocess, maxPixels = RECIPE_DEFAULTS.maxPixels): Promise<EvalImage> {
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await openSharp(path, maxPixels).removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new Error(`cannot read image ${path}: ${(e as Error).message}`);
  }
  const W = decoded.info.width;
  const H = decoded.info.height;
  const src = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  if (decoded.info.channels !== 3) throw new Error(`image ${path}: decoded ${decoded.info.channels} channels instead of 3`);

  if (pre.kind === 'center-crop') {
    const r = shortSideSize(W, H, pre.resize);
    if (r.w < pre.crop || r.h < pre.crop) throw new Error(`image ${path}: resize ${pre.resize} is smaller than the crop ${pre.crop}`);
    const { left, top } = centerCropOffsets(r.w, r.h, pre.crop);
    const sx = W / r.w;
    const sy = H / r.h;
    const planar = new Float32Array(3 * pre.crop * pre.crop);
    cropResampleToPlanar(src, W, H, { x: left * sx, y: top * sy, w: pre.crop * sx, h: pre.crop * sy }, pre.crop, false, planar, { tmp: new Float32Array(0) });
    const n = pre.crop * pre.crop;
    const rgb = new Uint8Array(3 * n);
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(planar[c * n + i]! * 255);
    const data = new Float32Array(3 * n);
    for (let c = 0; c < 3; c++) {
      const m = IMAGENET_MEAN[c]!;
      const sd = IMAGENET_STD[c]!;
      for (let i = 0; i < n; i++) data[c * n + i] = (planar[c * n + i]! - m) / sd;
    }
    return { path, data, h: pre.crop, w: pre.crop, rgb };
  }

  let rgb: Uint8Array = src;
  let w = W;
  let h = H;
  if (pre.kind === 'short-side') {
    const r = shortSideSize(W, H, pre.size);
    const resized = await sharp(src, { raw: { width: W, height: H, channels: 3 } })
      .resize(r.w, r.h, { kernel: 'cubic', fit: 'fill' })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    rgb = new Uint8Array(resized.data.buffer, resized.data.byteOffset, resized.data.byteLength);
    w = resized.info.width;
    h = resized.info.height;
  }
  const cw = w - (w % pre.patch);
  const ch = h - (h % pre.patch);
  if (cw === 0 || ch === 0) throw new Error(`image ${path} (${w} x ${h}) is smaller than one ${pre.patch} px patch`);
  if (cw !== w || ch !== h) rgb = cropTopLeft(rgb, w, cw, ch);
  else rgb = Uint8Array.from(rgb);
  return { path, data: normalizeRgb(rgb, cw, ch), h: ch, w: cw, rgb };
}
