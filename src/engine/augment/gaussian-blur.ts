// Gaussian blur with PIL's ImageFilter.GaussianBlur(radius=sigma) algorithm (3 extended box-blur passes per axis), on planar floats.
//
// DINO blurs PIL images, so we follow Pillow's ImagingGaussianBlur (libImaging/BoxBlur.c): the sigma is split into
// 3 passes of an "extended box" of fractional radius r = l + a (Gwosdek et al. 2011, eqs. 7/11/14), each pass
// out[x] = ww * sum_{k=-l..l} in[x+k] + fw * (in[x-l-1] + in[x+l+1]) with ww = 1/(2r+1), fw = (1 - (2l+1) ww)/2,
// edges replicated; 3 horizontal passes, then 3 vertical ones. The combined kernel has variance sigma^2 exactly.
// Difference from Pillow: we keep float values between passes (Pillow rounds to 8 bits after each pass, which moves
// values by up to about 1/255).
import { boxBlurWasm } from '../loader/wasm/box-blur-wasm';

const PASSES = 3;

/** Pillow's _gaussian_blur_radius: fractional box radius of one of `passes` passes for this sigma. */
export function boxRadiusForSigma(sigma: number, passes = PASSES): number {
  const sigma2 = (sigma * sigma) / passes;
  const L = Math.sqrt(12 * sigma2 + 1);
  const l = Math.floor((L - 1) / 2);
  const a = ((2 * l + 1) * (l * (l + 1) - 3 * sigma2)) / (6 * (sigma2 - (l + 1) * (l + 1)));
  return l + a;
}

/** All passes of the extended box over one row of `len` values at data[start..], in place; `pad` is scratch. */
function blurRow(data: Float32Array, start: number, len: number, l: number, ww: number, fw: number, pad: Float32Array): void {
  const e = l + 1; // padding each side
  for (let pass = 0; pass < PASSES; pass++) {
    const first = data[start]!;
    const last = data[start + len - 1]!;
    for (let k = 0; k < e; k++) pad[k] = first;
    for (let k = 0; k < len; k++) pad[e + k] = data[start + k]!;
    for (let k = 0; k < e; k++) pad[e + len + k] = last;
    let acc = 0; // window sum of pad[p-l .. p+l] for p = e (x = 0)
    for (let k = 1; k <= 2 * l + 1; k++) acc += pad[k]!;
    for (let x = 0, p = e; x < len; x++, p++) {
      const ahead = pad[p + l + 1]!;
      data[start + x] = acc * ww + (pad[p - l - 1]! + ahead) * fw;
      acc += ahead - pad[p - l]!;
    }
  }
}

/** Per-thread scratch buffers, grown as needed (a blur runs on every global view: no allocation per call). */
const buffers: Float32Array[] = [new Float32Array(0), new Float32Array(0)];
function scratch(k: number, n: number): Float32Array {
  if (buffers[k]!.length < n) buffers[k] = new Float32Array(n);
  return buffers[k]!;
}

function transpose(src: Float32Array, srcBase: number, width: number, height: number, dst: Float32Array, dstBase: number): void {
  for (let y = 0; y < height; y++) {
    const row = srcBase + y * width;
    for (let x = 0; x < width; x++) dst[dstBase + x * height + y] = src[row + x]!;
  }
}

/**
 * Blur a planar image of `channels` planes of width x height in place. Like Pillow, rows are blurred (3 passes while
 * the row is in cache), the plane is transposed, its rows (the columns) blurred, and transposed back.
 */
/** The extended box of one of the 3 passes for `sigma`: integer radius l, inner weight ww, fractional edge weight fw. */
export function boxPasses(sigma: number): { l: number; ww: number; fw: number } {
  const r = boxRadiusForSigma(sigma);
  const l = Math.floor(r);
  const ww = 1 / (2 * r + 1);
  return { l, ww, fw: (1 - (2 * l + 1) * ww) / 2 };
}

/**
 * Blur a planar image of `channels` planes of width x height in place. Like Pillow, rows are blurred (3 passes while
 * the row is in cache), the plane is transposed, its rows (the columns) blurred, and transposed back.
 */
export function gaussianBlur(img: Float32Array, width: number, height: number, sigma: number, channels = 3): void {
  if (!(sigma > 0)) return;
  const { l, ww, fw } = boxPasses(sigma);
  // WebAssembly SIMD when available (Node 20, Electron): the same passes (columns first), float32 accumulators.
  if (boxBlurWasm(img, width, height, channels, l, ww, fw)) return;
  gaussianBlurScalar(img, width, height, sigma, channels);
}

/** The TypeScript kernel (used where WebAssembly SIMD is missing; the reference for the wasm kernel's tests). */
export function gaussianBlurScalar(img: Float32Array, width: number, height: number, sigma: number, channels = 3): void {
  if (!(sigma > 0)) return;
  const { l, ww, fw } = boxPasses(sigma);
  const n = width * height;
  const pad = scratch(0, Math.max(width, height) + 2 * (l + 1));
  const t = scratch(1, n);
  for (let c = 0; c < channels; c++) {
    const base = c * n;
    for (let y = 0; y < height; y++) blurRow(img, base + y * width, width, l, ww, fw, pad);
    transpose(img, base, width, height, t, 0);
    for (let x = 0; x < width; x++) blurRow(t, x * height, height, l, ww, fw, pad);
    transpose(t, 0, height, width, img, base);
  }
}
