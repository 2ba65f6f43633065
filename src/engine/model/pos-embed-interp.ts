// Bicubic position-embedding interpolation as the official DINO code does it, precomputed as a constant matrix per grid.

const A = -0.75;

function cubic1(x: number): number {
  return ((A + 2) * x - (A + 3)) * x * x + 1; // |x| <= 1
}
function cubic2(x: number): number {
  return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; // 1 < |x| < 2
}

/**
 * 1-D bicubic resampling matrix [outSize, inSize] as torch.nn.functional.interpolate(mode='bicubic',
 * align_corners=False) called with a scale factor: src = (dst + 0.5) / scale - 0.5, border indices clamped.
 */
export function bicubicMatrix1d(inSize: number, outSize: number, scale: number): Float64Array {
  const m = new Float64Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    const real = (o + 0.5) / scale - 0.5;
    const i0 = Math.floor(real);
    const t = real - i0;
    const w = [cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)];
    for (let k = 0; k < 4; k++) {
      const idx = Math.min(Math.max(i0 - 1 + k, 0), inSize - 1);
      m[o * inSize + idx] += w[k]!;
    }
  }
  return m;
}

/**
 * Matrix K [(1 + gh*gw), (1 + N)] mapping the learned position embeddings (CLS first, then the sqrt(N) x sqrt(N)
 * grid, row-major) to those of an h x w input: the CLS row is kept, the grid is bicubically resampled with the
 * scale factor (side/p + 0.1)/sqrt(N) exactly as vision_transformer.interpolate_pos_encoding.
 * Returns null when the input grid equals the training grid (the official code then uses pos_embed as is).
 */
export function posEmbedInterpMatrix(n: number, patch: number, h: number, w: number): { matrix: Float32Array; rows: number } | null {
  const side = Math.round(Math.sqrt(n));
  if (side * side !== n) throw new Error(`position embedding has ${n} patch positions, which is not a square grid`);
  const gh = Math.floor(h / patch);
  const gw = Math.floor(w / patch);
  if (gh * gw === n && h === w) return null;
  const my = bicubicMatrix1d(side, gh, (gh + 0.1) / side);
  const mx = bicubicMatrix1d(side, gw, (gw + 0.1) / side);
  // PyTorch computes the output size as floor(side * scale) = floor(g + 0.1) = g.
  const rows = 1 + gh * gw;
  const cols = 1 + n;
  const k = new Float32Array(rows * cols);
  k[0] = 1;
  for (let i = 0; i < gh; i++) {
    for (let j = 0; j < gw; j++) {
      const r = 1 + i * gw + j;
      for (let a = 0; a < side; a++) {
        const wy = my[i * side + a]!;
        if (wy === 0) continue;
        for (let b = 0; b < side; b++) {
          const wx = mx[j * side + b]!;
          if (wx !== 0) k[r * cols + 1 + a * side + b] = wy * wx;
        }
      }
    }
  }
  return { matrix: k, rows };
}
