// Decode one image for evaluation (eval_knn.py's resize + centre crop, a short-side resize for attention, or as is) into normalised CHW floats.
import sharp, { type Metadata, type OutputInfo } from 'sharp';

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

/** Decode, orient (EXIF), convert to sRGB without alpha, apply the preprocessing. */
export async function loadEvalImage(path: string, pre: Preprocess): Promise<EvalImage> {
  let meta: Metadata;
  try {
    meta = await sharp(path).metadata();
  } catch (e) {
    throw new Error(`cannot read image ${path}: ${(e as Error).message}`);
  }
  const swap = (meta.orientation ?? 1) >= 5;
  const W = swap ? meta.height! : meta.width!;
  const H = swap ? meta.width! : meta.height!;
  let img = sharp(path, { failOn: 'error' }).rotate();
  let outW = W;
  let outH = H;
  if (pre.kind === 'center-crop') {
    const r = shortSideSize(W, H, pre.resize);
    if (r.w < pre.crop || r.h < pre.crop) throw new Error(`image ${path}: resize ${pre.resize} is smaller than the crop ${pre.crop}`);
    const { left, top } = centerCropOffsets(r.w, r.h, pre.crop);
    img = img.resize(r.w, r.h, { kernel: 'cubic', fit: 'fill', fastShrinkOnLoad: false }).extract({ left, top, width: pre.crop, height: pre.crop });
    outW = outH = pre.crop;
  } else {
    if (pre.kind === 'short-side') {
      const r = shortSideSize(W, H, pre.size);
      img = img.resize(r.w, r.h, { kernel: 'cubic', fit: 'fill', fastShrinkOnLoad: false });
      outW = r.w;
      outH = r.h;
    }
    const cw = outW - (outW % pre.patch);
    const ch = outH - (outH % pre.patch);
    if (cw === 0 || ch === 0) throw new Error(`image ${path} (${outW} x ${outH}) is smaller than one ${pre.patch} px patch`);
    if (cw !== outW || ch !== outH) {
      img = img.extract({ left: 0, top: 0, width: cw, height: ch });
      outW = cw;
      outH = ch;
    }
  }
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await img.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new Error(`cannot decode image ${path}: ${(e as Error).message}`);
  }
  const { data, info } = raw;
  if (info.width !== outW || info.height !== outH) throw new Error(`image ${path}: decoded ${info.width} x ${info.height}, expected ${outW} x ${outH}`);
  const rgb = new Uint8Array(outW * outH * 3);
  for (let i = 0; i < outW * outH; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = data[i * info.channels + c]!;
  return { path, data: normalizeRgb(rgb, outW, outH), h: outH, w: outW, rgb };
}
