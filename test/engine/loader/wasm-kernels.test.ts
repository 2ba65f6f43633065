// The WebAssembly crop kernels: embedded bytes compiled from the .wat, and the same results as the TypeScript kernel.
import { describe, expect, it } from 'vitest';
import { cropResampleToPlanar } from '../../../src/engine/loader/crop-resample';
import { bytesModuleSource, compileCropResampleWat } from '../../../src/engine/loader/wasm/build-crop-resample-wasm';
import { cropResampleWasm, wasmKernels } from '../../../src/engine/loader/wasm/crop-resample-wasm';
import { CROP_RESAMPLE_WASM_BASE64 } from '../../../src/engine/loader/wasm/crop-resample-wasm-bytes';
import { SeededRng } from '../../../src/engine/util/seeded-rng';

describe('crop resampling in WebAssembly', () => {
  it('embeds exactly the compiled crop-resample.wat', async () => {
    const bytes = await compileCropResampleWat();
    expect(Buffer.from(bytes).toString('base64')).toBe(CROP_RESAMPLE_WASM_BASE64);
    expect(bytesModuleSource(bytes)).toContain(CROP_RESAMPLE_WASM_BASE64);
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
