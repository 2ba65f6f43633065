// Last-block CLS-to-patch attention per head for one image, drawn as visualize_attention.py does: heatmaps, overlays and threshold masks as PNGs.
import sharp from 'sharp';
import type { AttentionResult } from '../../shared/ipc-contract';
import { BackboneRunner } from './backbone-runner';
import { loadEvalImage, type EvalImage, type Preprocess } from './eval-image';
import { thresholdMask } from './attention-threshold';
import { attentionShare } from './attention-share';
import { maskPathFor, patchCoverage } from './object-masks';
import type { AttentionOnObject } from '../../shared/ipc-contract';
import { modelFromRun, type EvalModel } from './eval-model';

export interface AttentionImages {
  /** The model's input image (after resizing / cropping), PNG. */
  image: Buffer;
  /** Per head: the attention heatmap alone (viridis, min-max scaled, nearest-upsampled by the patch size). */
  heatmaps: Buffer[];
  /** Per head: the heatmap blended over the image. */
  overlays: Buffer[];
  /** Per head: the threshold mask over the image (visualize_attention.py's apply_mask, alpha 0.5, with its outline). */
  thresholded: Buffer[];
}

export interface AttentionComputation {
  result: AttentionResult;
  png: AttentionImages;
  /** Per head: 1 for the patches in the threshold set. */
  masks: Uint8Array[];
  input: EvalImage;
}

/** visualize_attention.py's default: the short side at 480 px (it resizes to 480 x 480; we keep the aspect ratio). */
export const ATTENTION_IMAGE_SIZE = 480;

/** Matplotlib's viridis as a polynomial fit (within ~4/255 of the table): t in [0,1] -> RGB bytes. */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t));
  const c = [
    [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
    [0.1050930431085774, 1.404613529898575, 1.384590162594685],
    [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
    [-4.634230498983486, -5.799100973351585, -19.33244095627987],
    [6.228269936347081, 14.17993336680509, 56.69055260068105],
    [4.776384997670288, -13.74514537774601, -65.35303263337234],
    [-5.435455855934631, 4.645852612178535, 26.3124352495832],
  ];
  const out: number[] = [];
  for (let ch = 0; ch < 3; ch++) {
    let v = c[6]![ch]!;
    for (let i = 5; i >= 0; i--) v = v * x + c[i]![ch]!;
    out.push(Math.round(255 * Math.min(1, Math.max(0, v))));
  }
  return out as [number, number, number];
}

/** visualize_attention.py's random_colors without the shuffle: hue i/N, full saturation and value. */
export function headColour(i: number, n: number): [number, number, number] {
  const h = (i / n) * 6;
  const k = Math.floor(h) % 6;
  const f = h - Math.floor(h);
  const rgb = [
    [1, f, 0],
    [1 - f, 1, 0],
    [0, 1, f],
    [0, 1 - f, 1],
    [f, 0, 1],
    [1, 0, 1 - f],
  ][k]!;
  return rgb.map((v) => Math.round(v * 255)) as [number, number, number];
}

const png = (rgb: Uint8Array, w: number, h: number): Promise<Buffer> => sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();

/** Patch value of pixel (x, y): nearest upsampling by the patch size, as nn.functional.interpolate(mode='nearest'). */
function patchAt(x: number, y: number, p: number, gw: number): number {
  return Math.floor(y / p) * gw + Math.floor(x / p);
}

/** Draw the pictures for one head's map. */
async function drawHead(img: EvalImage, map: Float32Array, mask: Uint8Array, p: number, gw: number, colour: [number, number, number]) {
  const { w, h, rgb } = img;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of map) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo || 1;
  const heat = new Uint8Array(w * h * 3);
  const over = new Uint8Array(w * h * 3);
  const thr = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const pi = patchAt(x, y, p, gw);
      const c = viridis((map[pi]! - lo) / span);
      const m = mask[pi]!;
      // Outline: a kept pixel whose 4-neighbour is outside the mask (or the image edge), as find_contours would draw.
      const edge =
        m === 1 &&
        (x === 0 || y === 0 || x === w - 1 || y === h - 1 || !mask[patchAt(x - 1, y, p, gw)] || !mask[patchAt(x + 1, y, p, gw)] || !mask[patchAt(x, y - 1, p, gw)] || !mask[patchAt(x, y + 1, p, gw)]);
      for (let ch = 0; ch < 3; ch++) {
        const src = rgb[i * 3 + ch]!;
        heat[i * 3 + ch] = c[ch]!;
        over[i * 3 + ch] = Math.round(0.4 * src + 0.6 * c[ch]!);
        // apply_mask(image, mask, color, alpha=0.5): image * (1 - alpha * mask) + alpha * mask * color * 255
        thr[i * 3 + ch] = edge ? colour[ch]! : Math.round(src * (1 - 0.5 * m) + 0.5 * m * colour[ch]!);
      }
    }
  }
  return Promise.all([png(heat, w, h), png(over, w, h), png(thr, w, h)]);
}

const dataUrl = (b: Buffer) => `data:image/png;base64,${b.toString('base64')}`;

/** Run the model on one image and draw every head. */
export async function computeAttention(runner: BackboneRunner, imagePath: string, preprocess: Preprocess, threshold: number): Promise<AttentionComputation> {
  const img = await loadEvalImage(imagePath, preprocess);
  const p = runner.vit.patchSize;
  const gw = Math.floor(img.w / p);
  const gh = Math.floor(img.h / p);
  const patches = gw * gh;
  const heads = runner.vit.heads;
  const out = await runner.embed([img], true);
  const att = out.attention!;
  if (att.length !== heads * patches) throw new Error(`attention of ${imagePath}: expected ${heads} x ${patches} values, got ${att.length}`);
  const maps: number[][] = [];
  const masks: Uint8Array[] = [];
  const heatmaps: Buffer[] = [];
  const overlays: Buffer[] = [];
  const thresholded: Buffer[] = [];
  for (let hd = 0; hd < heads; hd++) {
    const map = att.subarray(hd * patches, (hd + 1) * patches);
    const mask = thresholdMask(map, threshold);
    const [heat, over, thr] = await drawHead(img, map, mask, p, gw, headColour(hd, heads));
    maps.push(Array.from(map));
    masks.push(mask);
    heatmaps.push(heat);
    overlays.push(over);
    thresholded.push(thr);
  }
  const image = await png(img.rgb, img.w, img.h);
  const onObject = await attentionOnObject(imagePath, preprocess, p, att, heads, patches);
  return {
    result: { image: imagePath, heads, gridW: gw, gridH: gh, maps, overlays: overlays.map(dataUrl), thresholded: thresholded.map(dataUrl), threshold, onObject },
    png: { image, heatmaps, overlays, thresholded },
    masks,
    input: img,
  };
}

/** The attention share on the image's object, when a mask lies beside its folder (see object-masks.ts); null otherwise. */
export async function attentionOnObject(
  imagePath: string,
  preprocess: Preprocess,
  patch: number,
  attention: Float32Array,
  heads: number,
  patches: number,
): Promise<AttentionOnObject | null> {
  const mask = maskPathFor(imagePath);
  if (!mask) return null;
  const coverage = await patchCoverage(mask, preprocess, patch);
  if (coverage.length !== patches) return null;
  const s = attentionShare(attention, heads, patches, [coverage]);
  return { mean: s.mean, perHead: s.perHead, objectShare: s.objectShare, mask };
}

/** The attention share on the image's object for another model (e.g. the run's step-0 checkpoint). */
export async function attentionOnObjectWith(runner: BackboneRunner, imagePath: string, preprocess: Preprocess): Promise<AttentionOnObject | null> {
  if (!maskPathFor(imagePath)) return null;
  const img = await loadEvalImage(imagePath, preprocess);
  const p = runner.vit.patchSize;
  const patches = Math.floor(img.w / p) * Math.floor(img.h / p);
  return attentionOnObject(imagePath, preprocess, p, (await runner.embed([img], true)).attention!, runner.vit.heads, patches);
}

/** The first checkpoint of every run: the network at initialisation. */
export const STEP0_CHECKPOINT = 'step-00000000';

/** For a later checkpoint of a run and an image with a mask: the attention share on the object at step 0; else null. */
export async function attentionOnObjectAtStep0(model: EvalModel, imagePath: string, preprocess: Preprocess): Promise<AttentionOnObject | null> {
  if (!model.runDir || !model.checkpoint || model.checkpoint === STEP0_CHECKPOINT || !maskPathFor(imagePath)) return null;
  let initial: EvalModel;
  try {
    initial = await modelFromRun(model.runDir, STEP0_CHECKPOINT);
  } catch {
    return null; // a run folder without its step-0 checkpoint (pruned by hand): nothing to compare with
  }
  const runner = new BackboneRunner(initial.vit, initial.backbone, initial.label);
  try {
    return await attentionOnObjectWith(runner, imagePath, preprocess);
  } finally {
    runner.dispose();
  }
}
