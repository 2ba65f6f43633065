// Gaussian blur with PIL's ImageFilter.GaussianBlur(radius=sigma) algorithm (3 extended box-blur passes per axis), on planar floats.
//
// DINO blurs PIL images, so we follow Pillow's ImagingGaussianBlur (libImaging/BoxBlur.c): the sigma is split into
// 3 passes of an "extended box" of fractional radius r = l + a (Gwosdek et al. 2011, eqs. 7/11/14), each pass
// out[x] = ww * sum_{k=-l..l} in[x+k] + fw * (in[x-l-1] + in[x+l+1]) with ww = 1/(2r+1), fw = (1 - (2l+1) ww)/2,
// edges replicated; 3 horizontal passes, then 3 vertical ones. The combined kernel has variance sigma^2 exactly.
// Difference from Pillow: we keep float values between passes (Pillow rounds to 8 bits after each pass, which moves
// values by up to about 1/255).

const PASSES = 3;

/** Pillow's _gaussian_blur_radius: fractional box radius of one of `passes` passes for this sigma. */
export function boxRadiusForSigma(sigma: number, passes = PASSES): number {
  const sigma2 = (sigma * sigma) / passes;
  const L = Math.sqrt(12 * sigma2 + 1);
  const l = Math.floor((L - 1) / 2);
  const a = ((2 * l + 1) * (l * (l + 1) - 3 * sigma2)) / (6 * (sigma2 - (l + 1) * (l + 1)));
  return l + a;
}

/** One horizontal extended-box pass over each of `rows` rows of `width` values starting at `base`; `pad` is scratch. */
function boxRows(data: Float32Array, base: number, width: number, rows: number, l: number, ww: number, fw: number, pad: Float64Array): void {
  const e = l + 1; // padding each side
  for (let y = 0; y < rows; y++) {
    const start = base + y * width;
    const first = data[start]!;
    const last = data[start + width - 1]!;
    for (let k = 0; k < e; k++) pad[k] = first;
    for (let k = 0; k < width; k++) pad[e + k] = data[start + k]!;
    for (let k = 0; k < e; k++) pad[e + width + k] = last;
    let acc = 0; // window sum of pad[p-l .. p+l] for p = e (x = 0)
    for (let k = 1; k <= 2 * l + 1; k++) acc += pad[k]!;
    for (let x = 0; x < width; x++) {
      const p = x + e;
      data[start + x] = acc * ww + (pad[p - l - 1]! + pad[p + l + 1]!) * fw;
      acc += pad[p + l + 1]! - pad[p - l]!;
    }
  }
}

/** One vertical extended-box pass over a width x height plane at `base`, row-wise (cache-friendly); `src` and `acc` are scratch. */
function boxColumns(data: Float32Array, base: number, width: number, height: number, l: number, ww: number, fw: number, src: Float32Array, acc: Float64Array): void {
  const n = width * height;
  src.set(data.subarray(base, base + n));
  const last = height - 1;
  const row = (y: number) => (y < 0 ? 0 : y > last ? last : y) * width;
  // acc = sum of rows -l-1+1 .. l-1+1 around y = 0, i.e. rows clamp(-l) .. clamp(l)
  acc.fill(0, 0, width);
  for (let k = -l; k <= l; k++) {
    const r = row(k);
    for (let x = 0; x < width; x++) acc[x] += src[r + x]!;
  }
  for (let y = 0; y < height; y++) {
    const far0 = row(y - l - 1);
    const far1 = row(y + l + 1);
    const o = base + y * width;
    for (let x = 0; x < width; x++) data[o + x] = acc[x]! * ww + (src[far0 + x]! + src[far1 + x]!) * fw;
    const sub = row(y - l);
    for (let x = 0; x < width; x++) acc[x] += src[far1 + x]! - src[sub + x]!;
  }
}

/** Blur a planar image of `channels` planes of width x height in place. */
export function gaussianBlur(img: Float32Array, width: number, height: number, sigma: number, channels = 3): void {
  if (!(sigma > 0)) return;
  const r = boxRadiusForSigma(sigma);
  const l = Math.floor(r);
  const ww = 1 / (2 * r + 1);
  const fw = (1 - (2 * l + 1) * ww) / 2;
  const n = width * height;
  const pad = new Float64Array(width + 2 * (l + 1));
  const src = new Float32Array(n);
  const acc = new Float64Array(width);
  for (let c = 0; c < channels; c++) {
    const base = c * n;
    for (let pass = 0; pass < PASSES; pass++) boxRows(img, base, width, height, l, ww, fw, pad);
    for (let pass = 0; pass < PASSES; pass++) boxColumns(img, base, width, height, l, ww, fw, src, acc);
  }
}
