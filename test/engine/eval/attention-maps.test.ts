// Attention maps of the golden ViT-Tiny/16: per-head maps equal the official last-block CLS attention; PNGs have the image's size; masks follow the threshold rule.
import { resolve } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeShared } from '../../support/shared-suite';
import { GOLDEN_DIR, HAS_SHARED, SKIP_SHARED_REASON, loadGolden } from '../../support/shared-fixtures';
import { importWeightsFile } from '../../../src/engine/io/weights-import';
import { BackboneRunner } from '../../../src/engine/eval/backbone-runner';
import { computeAttention, headColour, viridis } from '../../../src/engine/eval/attention-maps';
import { maskedMass, thresholdMask } from '../../../src/engine/eval/attention-threshold';

describe('colours', () => {
  it("viridis matches matplotlib at 0, 0.5 and 1 (#440154, #21918c, #fde725) within the fit error of 4/255", () => {
    const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 4);
    expect(near(viridis(0), [0x44, 0x01, 0x54])).toBe(true);
    expect(near(viridis(1), [0xfd, 0xe7, 0x25])).toBe(true);
    expect(near(viridis(0.5), [0x21, 0x91, 0x8c])).toBe(true);
  });
  it('head colours are distinct bright hues', () => {
    const cs = Array.from({ length: 6 }, (_, i) => headColour(i, 6).join(','));
    expect(new Set(cs).size).toBe(6);
    expect(headColour(0, 3)).toEqual([255, 0, 0]);
  });
});

describeShared(`attention maps of the golden ViT-Tiny/16 (${HAS_SHARED ? 'cpu backend' : SKIP_SHARED_REASON})`, () => {
  let runner: BackboneRunner;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const w = await importWeightsFile(resolve(GOLDEN_DIR, 'vit_tiny16.safetensors'));
    runner = new BackboneRunner(w.vit, w.backbone, w.source);
  });

  it('maps, masks and pictures for input96.png', async () => {
    const golden = loadGolden<{ vit_tiny16: { cases: { image: string; last_attention_cls_to_patches: number[] }[] } }>().vit_tiny16.cases[1]!;
    const a = await computeAttention(runner, resolve(GOLDEN_DIR, golden.image), { kind: 'none', patch: 16 }, 0.6);
    const r = a.result;
    expect([r.heads, r.gridW, r.gridH]).toEqual([3, 6, 6]);
    const flat = r.maps.flat();
    let worst = 0;
    flat.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - golden.last_attention_cls_to_patches[i]!))));
    expect(worst).toBeLessThan(1e-4);
    for (let h = 0; h < 3; h++) {
      expect(Array.from(a.masks[h]!)).toEqual(Array.from(thresholdMask(r.maps[h]!, 0.6)));
      expect(maskedMass(r.maps[h]!, a.masks[h]!)).toBeGreaterThanOrEqual(0.6);
      for (const url of [r.overlays[h]!, r.thresholded[h]!]) {
        expect(url.startsWith('data:image/png;base64,')).toBe(true);
        const meta = await sharp(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')).metadata();
        expect([meta.width, meta.height]).toEqual([96, 96]);
      }
    }
    // Nearest upsampling: every pixel of a 16 x 16 patch has the patch's colour in the heatmap.
    const { data } = await sharp(a.png.heatmaps[0]!).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => Array.from(data.subarray((y * 96 + x) * 3, (y * 96 + x) * 3 + 3));
    expect(px(17, 33)).toEqual(px(31, 47));
    // The highest-attention patch of head 0 is yellow-ish (viridis top), the lowest purple-ish.
    const m0 = r.maps[0]!;
    const hi = m0.indexOf(Math.max(...m0));
    const lo = m0.indexOf(Math.min(...m0));
    expect(px((hi % 6) * 16 + 8, Math.floor(hi / 6) * 16 + 8)).toEqual(viridis(1));
    expect(px((lo % 6) * 16 + 8, Math.floor(lo / 6) * 16 + 8)).toEqual(viridis(0));
  });
});
