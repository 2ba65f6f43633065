// torchvision.transforms.functional colour ops on float CHW images in [0,1] (tensor semantics), in place on planar Float32Arrays.
//
// Layout: `img` holds 3 planes of n = width * height values: R[0..n), G[n..2n), B[2n..3n).
// Each op clamps to [0,1] like torchvision's _blend; arithmetic is in float64 and stored as float32.

const GRAY_R = 0.2989; // torchvision's rgb_to_grayscale weights (ITU-R 601-2 luma as PIL's "L" conversion)
const GRAY_G = 0.587;
const GRAY_B = 0.114;

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** adjust_brightness: blend with black. */
export function adjustBrightness(img: Float32Array, n: number, factor: number): void {
  const len = 3 * n;
  for (let i = 0; i < len; i++) {
    const v = img[i]! * factor;
    img[i] = v > 1 ? 1 : v < 0 ? 0 : v;
  }
}

/** Mean of rgb_to_grayscale over the whole image (torchvision computes the grayscale in float32, then the mean). */
export function grayscaleMean(img: Float32Array, n: number): number {
  const f32 = new Float32Array(1);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    f32[0] = GRAY_R * img[i]! + GRAY_G * img[n + i]! + GRAY_B * img[2 * n + i]!;
    sum += f32[0]!;
  }
  return sum / n;
}

/** adjust_contrast: blend with the mean of the grayscale image. */
export function adjustContrast(img: Float32Array, n: number, factor: number): void {
  const mean = grayscaleMean(img, n);
  const add = (1 - factor) * mean;
  const len = 3 * n;
  for (let i = 0; i < len; i++) {
    const v = factor * img[i]! + add;
    img[i] = v > 1 ? 1 : v < 0 ? 0 : v;
  }
}

/** adjust_saturation: blend with the per-pixel grayscale. */
export function adjustSaturation(img: Float32Array, n: number, factor: number): void {
  const inv = 1 - factor;
  for (let i = 0; i < n; i++) {
    const r = img[i]!;
    const g = img[n + i]!;
    const b = img[2 * n + i]!;
    const gray = Math.fround(GRAY_R * r + GRAY_G * g + GRAY_B * b) * inv;
    img[i] = clamp01(factor * r + gray);
    img[n + i] = clamp01(factor * g + gray);
    img[2 * n + i] = clamp01(factor * b + gray);
  }
}

/** adjust_hue: RGB -> HSV (torchvision _rgb2hsv), h = (h + factor) mod 1, HSV -> RGB (_hsv2rgb). factor in [-0.5, 0.5]. */
export function adjustHue(img: Float32Array, n: number, factor: number): void {
  const g0 = n;
  const b0 = 2 * n;
  for (let i = 0; i < n; i++) {
    const r = img[i]!;
    const g = img[g0 + i]!;
    const b = img[b0 + i]!;
    const maxc = r > g ? (r > b ? r : b) : g > b ? g : b;
    const minc = r < g ? (r < b ? r : b) : g < b ? g : b;
    const cr = maxc - minc;
    if (cr === 0) continue; // grey pixel: s = 0, so p = q = t = v and the hue shift changes nothing
    const s = cr / maxc;
    let h: number;
    if (maxc === r) h = (g - b) / cr; // bc - gc
    else if (maxc === g) h = 2 + (b - r) / cr; // 2 + rc - bc
    else h = 4 + (r - g) / cr; // 4 + gc - rc
    // torch: fmod(h / 6 + 1, 1) in float32, then (h + factor) % 1 (Python modulo, non-negative)
    h = Math.fround(Math.fround(h / 6) + 1);
    if (h >= 1) h -= 1;
    h += factor;
    if (h >= 1) h -= 1;
    else if (h < 0) h += 1;
    h = Math.fround(h);
    const h6 = Math.fround(h * 6);
    const k = Math.floor(h6);
    const f = h6 - k;
    const v = maxc;
    const p = clamp01(v * (1 - s));
    const q = clamp01(v * (1 - s * f));
    const t = clamp01(v * (1 - s * (1 - f)));
    let ro: number, go: number, bo: number;
    switch (k) {
      case 0: ro = v; go = t; bo = p; break;
      case 1: ro = q; go = v; bo = p; break;
      case 2: ro = p; go = v; bo = t; break;
      case 3: ro = p; go = q; bo = v; break;
      case 4: ro = t; go = p; bo = v; break;
      case 5: ro = v; go = p; bo = q; break;
      default: ro = v; go = t; bo = p; break; // k = 6 only if h rounds to 1: i % 6 = 0
    }
    img[i] = ro;
    img[g0 + i] = go;
    img[b0 + i] = bo;
  }
}

/** rgb_to_grayscale(num_output_channels=3). */
export function toGrayscale(img: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const l = GRAY_R * img[i]! + GRAY_G * img[n + i]! + GRAY_B * img[2 * n + i]!;
    img[i] = l;
    img[n + i] = l;
    img[2 * n + i] = l;
  }
}

/** solarize: values >= threshold (in [0,1]) become 1 - value. */
export function solarize(img: Float32Array, n: number, threshold: number): void {
  const len = 3 * n;
  for (let i = 0; i < len; i++) {
    const v = img[i]!;
    if (v >= threshold) img[i] = 1 - v;
  }
}

/** normalize: (x - mean) / std per channel, written to `out` at `offset` (may be img itself at 0). */
export function normalizeInto(
  img: Float32Array,
  n: number,
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
  out: Float32Array,
  offset: number,
): void {
  for (let c = 0; c < 3; c++) {
    const m = mean[c]!;
    const inv = 1 / std[c]!;
    const base = c * n;
    const o = offset + base;
    for (let i = 0; i < n; i++) out[o + i] = (img[base + i]! - m) * inv;
  }
}
