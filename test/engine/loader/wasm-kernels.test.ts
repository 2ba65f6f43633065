// The WebAssembly kernels: embedded bytes compiled from the .wat files, and the same results as the TypeScript kernels.
import { describe, expect, it } from 'vitest';
import { cropResampleToPlanar } from '../../../src/engine/loader/crop-resample';
import { readFileSync } from 'node:fs';
import { bytesModuleSource } from '../../../src/engine/loader/wasm/build-wasm';
import { cropResampleWasm, wasmKernels } from '../../../src/engine/loader/wasm/crop-resample-wasm';
import { SeededRng } from '../../../src/engine/util/seeded-rng';

describe('crop resampling in WebAssembly', () => {
  it('embeds exactly the compiled .wat kernels (wasm-bytes.ts is up to date)', async () => {
    const committed = readFileSync(new URL('../../../src/engine/loader/wasm/wasm-bytes.ts', import.meta.url), 'utf8');
    expect(committed).toBe(await bytesModuleSource());
  });

  it('is available in this runtime and agrees with the TypeScript kernel on random boxes, sizes and flips', () => {
    expect(wasmKernels()).not.toBeNull();
    const rng = new SeededRng(42);
    for (let trial = 0; trial < 60; trial++) {
      const W = 1 + rng.int(300);
      const H = 1 + rng.int(300);
      const src = new Uint8Array(W * H * 3);
      for (let i = 0; i < src.length; i++) src[i] = rng.int(256);
      const w = Math.max(0.5, rng.uniform(0.5, W));
      const h = Math.max(0.5, rng.uniform(0.5, H));
      const box = { x: rng.uniform(0, W - w), y: rng.uniform(0, H - h), w, h };
      const size = 1 + rng.int(120);
      const flip = rng.next() < 0.5;
      const a = new Float32Array(3 * size * size);
      const b = new Float32Array(3 * size * size).fill(-1);
      cropResampleToPlanar(src, W, H, box, size, flip, a, { tmp: new Float32Array(0) });
      expect(cropResampleWasm(src, W, H, box, size, flip, b)).toBe(true);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      expect(worst).toBeLessThan(2e-5); // float32 accumulation in wasm vs float64 in TypeScript
    }
  });
});

describe('Gaussian blur in WebAssembly', () => {
  it('agrees with the TypeScript kernel on random planes, sizes (odd widths too) and sigmas', async () => {
    const { gaussianBlur, gaussianBlurScalar } = await import('../../../src/engine/augment/gaussian-blur');
    const { boxBlurKernels } = await import('../../../src/engine/loader/wasm/box-blur-wasm');
    expect(boxBlurKernels()).not.toBeNull();
    const rng = new SeededRng(7);
    for (let trial = 0; trial < 40; trial++) {
      const w = 1 + rng.int(130);
      const h = 1 + rng.int(130);
      const channels = 1 + rng.int(3);
      const sigma = rng.uniform(0.05, 6);
      const a = Float32Array.from({ length: channels * w * h }, () => rng.next());
      const b = a.slice();
      gaussianBlurScalar(a, w, h, sigma, channels);
      gaussianBlur(b, w, h, sigma, channels);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      expect(worst).toBeLessThan(2e-5);
    }
  });
});
