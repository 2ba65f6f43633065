// Preview: every view as a PNG of its size, boxes in oriented source pixels, same seed same views, EXIF rotation applied.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxStats } from '../../../src/engine/augment/box-stats';
import { renderPreview } from '../../../src/engine/augment/render-preview';
import { StudioFailure } from '../../../src/engine/studio-failure';
import { RECIPE_DEFAULTS, augmentPart } from '../../../src/shared/config-schema';

const C = augmentPart(RECIPE_DEFAULTS);
let dir: string;
let rotated: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'multicrop-preview-'));
  rotated = join(dir, 'rotated.jpg');
  // 300x200 stored, EXIF orientation 6 (rotate 90 degrees): 200x300 as seen. Left half red, right half blue (stored).
  const raw = Buffer.alloc(300 * 200 * 3);
  for (let y = 0; y < 200; y++) for (let x = 0; x < 300; x++) raw.set(x < 150 ? [220, 20, 20] : [20, 20, 220], 3 * (y * 300 + x));
  await writeFile(rotated, await sharp(raw, { raw: { width: 300, height: 200, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer());
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('renderPreview', () => {
  it('renders 2 + N views as PNGs of their sizes with boxes inside the oriented image', async () => {
    const r = await renderPreview(rotated, C, 4);
    expect([r.width, r.height]).toEqual([200, 300]);
    expect(r.views.map((v) => v.name)).toEqual(['global 1', 'global 2', ...Array.from({ length: 8 }, (_, i) => `local ${i + 1}`)]);
    for (const v of r.views) {
      expect(v.box.x + v.box.w).toBeLessThanOrEqual(200);
      expect(v.box.y + v.box.h).toBeLessThanOrEqual(300);
      const png = Buffer.from(v.png.slice('data:image/png;base64,'.length), 'base64');
      const m = await sharp(png).metadata();
      expect([m.width, m.height, m.format]).toEqual([v.size, v.size, 'png']);
    }
    const again = await renderPreview(rotated, C, 4);
    expect(again.views.map((v) => [v.box, v.ops, v.png])).toEqual(r.views.map((v) => [v.box, v.ops, v.png]));
    const other = await renderPreview(rotated, C, 5);
    expect(other.views.map((v) => v.box)).not.toEqual(r.views.map((v) => v.box));
  });

  it('crops from the rotated image: a view of the top rows shows the stored left half (red)', async () => {
    // No colour ops, no flip: the top half of the oriented image is the stored left half, red.
    const plain = { ...C, jitterProb: 0, grayscaleProb: 0, global1BlurProb: 0, global2BlurProb: 0, localBlurProb: 0, global2SolarizeProb: 0, flipProb: 0, localCrops: 0, globalScale: [0.05, 0.1] as [number, number] };
    for (let seed = 0; seed < 20; seed++) {
      const r = await renderPreview(rotated, plain, seed);
      const v = r.views[0]!;
      if (v.box.y + v.box.h > 140 && v.box.y < 160) continue; // straddles the colour boundary
      const { data } = await sharp(Buffer.from(v.png.split(',')[1]!, 'base64')).raw().toBuffer({ resolveWithObject: true });
      const redder = data[0]! > data[2]!;
      expect(redder).toBe(v.box.y + v.box.h <= 150);
    }
  });

  it('fails with a message naming the file when it is not an image', async () => {
    const bad = join(dir, 'bad.jpg');
    await writeFile(bad, 'not an image');
    await expect(renderPreview(bad, C, 0)).rejects.toThrow(StudioFailure);
    await expect(renderPreview(bad, C, 0)).rejects.toThrow(/bad\.jpg/);
  });
});

describe('boxStats', () => {
  it('reports per-view area fractions in the scale ranges and fallback rates', () => {
    const s = boxStats(C, 1, 2000, 500, 375);
    expect(s.perView.map((v) => v.kind)).toEqual(['global 1', 'global 2', 'local']);
    for (const v of s.perView) expect(v.areaFractions.length).toBe(2000);
    const local = s.perView[2]!;
    expect(Math.min(...local.areaFractions)).toBeGreaterThan(0.045);
    expect(Math.max(...local.areaFractions)).toBeLessThan(0.41);
    expect(local.fallbackRate).toBe(0);
    expect(boxStats(C, 1, 200, 4000, 60).perView[0]!.fallbackRate).toBe(1);
  });
});
