// Crop + bicubic resize + optional flip of interleaved RGB bytes straight into planar floats in [0,1] (Pillow's resample).
//
// Follows Pillow's ImagingResample as torchvision's resized_crop does on PIL images (DINO's path): separable,
// antialiased bicubic (a = -0.5) whose support widens by the downscale factor, box in fractional source pixels,
// horizontal pass then vertical pass. Differences: float arithmetic throughout (Pillow rounds to 8 bits between
// passes) and the result is clamped to [0,1] once at the end.

const A = -0.5;
function bicubic(x: number): number {
  if (x < 0) x = -x;
  if (x < 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * A;
  return 0;
}

interface Coeffs {
  start: Int32Array; // first source index per output index
  count: Int32Array; // taps per output index
  weights: Float32Array; // [out * maxTaps]
  maxTaps: number;
}

/** Taps per output (the stride of the weights) for an interval of `length` source pixels onto outSize pixels. */
export function resampleTaps(length: number, outSize: number): number {
  return Math.ceil(2 * Math.max(length / outSize, 1)) * 2 + 1;
}

/**
 * Pillow precompute_coeffs for the interval [in0, in1) of an axis of length inSize mapped onto outSize pixels, into
 * `into` when given (arrays of outSize, outSize and outSize * resampleTaps(in1 - in0, outSize) elements, e.g. views of
 * kernel memory; weights past each output's count are left as they are) or into new arrays.
 */
export function resampleCoeffs(inSize: number, in0: number, in1: number, outSize: number, into?: Omit<Coeffs, 'maxTaps'>): Coeffs {
  const scale = (in1 - in0) / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 2 * filterscale;
  const maxTaps = resampleTaps(in1 - in0, outSize);
  const start = into?.start ?? new Int32Array(outSize);
  const count = into?.count ?? new Int32Array(outSize);
  const weights = into?.weights ?? new Float32Array(outSize * maxTaps);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    const base = xx * maxTaps;
    for (let x = 0; x < xmax; x++) {
      const w = bicubic((x + xmin - center + 0.5) * ss);
      weights[base + x] = w;
      total += w;
    }
    if (total !== 0) for (let x = 0; x < xmax; x++) weights[base + x] = weights[base + x]! / total;
    start[xx] = xmin;
    count[xx] = Math.max(0, xmax);
  }
  return { start, count, weights, maxTaps };
}

/**
 * Resample the box (x, y, w, h in the pixels of `src`, fractional allowed) of an interleaved RGB image into a
 * size x size planar float image in [0,1], mirrored left-right when `flip`. `tmp` is scratch (grown as needed).
 */
export function cropResampleToPlanar(
  src: Uint8Array,
  srcWidth: number,
  srcHeight: number,
  box: { x: number; y: number; w: number; h: number },
  size: number,
  flip: boolean,
  out: Float32Array,
  scratch: { tmp: Float32Array },
): void {
  const cx = resampleCoeffs(srcWidth, box.x, box.x + box.w, size);
  const cy = resampleCoeffs(srcHeight, box.y, box.y + box.h, size);
  const y0 = cy.start[0]!;
  const y1 = cy.start[size - 1]! + cy.count[size - 1]!;
  const rows = y1 - y0;
  const need = rows * size * 3;
  if (scratch.tmp.length < need) scratch.tmp = new Float32Array(need);
  const tmp = scratch.tmp;
  // horizontal pass: rows y0..y1 of the source -> tmp[row][xx][c] (interleaved), in bytes 0..255
  const { start: xs, count: xc, weights: xw, maxTaps: xt } = cx;
  for (let r = 0; r < rows; r++) {
    const srow = (y0 + r) * srcWidth * 3;
    const trow = r * size * 3;
    for (let xx = 0; xx < size; xx++) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let p = srow + xs[xx]! * 3;
      const wb = xx * xt;
      const n = xc[xx]!;
      for (let k = 0; k < n; k++, p += 3) {
        const w = xw[wb + k]!;
        s0 += src[p]! * w;
        s1 += src[p + 1]! * w;
        s2 += src[p + 2]! * w;
      }
      const t = trow + (flip ? size - 1 - xx : xx) * 3;
      tmp[t] = s0;
      tmp[t + 1] = s1;
      tmp[t + 2] = s2;
    }
  }
  // vertical pass: tmp -> planar out, scaled to [0,1] and clamped
  const plane = size * size;
  const { start: ys, count: yc, weights: yw, maxTaps: yt } = cy;
  const inv = 1 / 255;
  for (let yy = 0; yy < size; yy++) {
    const n = yc[yy]!;
    const wb = yy * yt;
    const r0 = ys[yy]! - y0;
    const o = yy * size;
    for (let xx = 0; xx < size; xx++) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let p = (r0 * size + xx) * 3;
      const step = size * 3;
      for (let k = 0; k < n; k++, p += step) {
        const w = yw[wb + k]!;
        s0 += tmp[p]! * w;
        s1 += tmp[p + 1]! * w;
        s2 += tmp[p + 2]! * w;
      }
      s0 *= inv;
      s1 *= inv;
      s2 *= inv;
      out[o + xx] = s0 < 0 ? 0 : s0 > 1 ? 1 : s0;
      out[plane + o + xx] = s1 < 0 ? 0 : s1 > 1 ? 1 : s1;
      out[2 * plane + o + xx] = s2 < 0 ? 0 : s2 > 1 ? 1 : s2;
    }
  }
}
