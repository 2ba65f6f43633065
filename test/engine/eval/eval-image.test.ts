// The eval transform follows torchvision's Resize(int) + CenterCrop arithmetic; the held-out split and the feature cache behave as promised.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { centerCropOffsets, evalCenterCrop, loadEvalImage, normalizeRgb, shortSideSize } from '../../../src/engine/eval/eval-image';
import { holdOutSplit } from '../../../src/engine/eval/knn-eval';
import { FeatureCache } from '../../../src/engine/eval/feature-cache';

const root = mkdtempSync(join(tmpdir(), 'mc-evalimg-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('eval transform arithmetic (torchvision semantics)', () => {
  it('Resize(256) keeps the short side at 256 and truncates the long side', () => {
    expect(shortSideSize(500, 375, 256)).toEqual({ w: 341, h: 256 }); // int(256 * 500 / 375) = int(341.33)
    expect(shortSideSize(375, 500, 256)).toEqual({ w: 256, h: 341 });
    expect(shortSideSize(300, 300, 256)).toEqual({ w: 256, h: 256 });
  });
  it('CenterCrop offsets use int(round((size - crop) / 2)) with halves to even', () => {
    expect(centerCropOffsets(341, 256, 224)).toEqual({ left: 58, top: 16 }); // round(58.5) = 58 in Python
    expect(centerCropOffsets(343, 256, 224)).toEqual({ left: 60, top: 16 }); // round(59.5) = 60
  });
  it("scales eval_knn.py's 256/224 to the run's crop", () => {
    expect(evalCenterCrop(224)).toEqual({ kind: 'center-crop', resize: 256, crop: 224 });
    expect(evalCenterCrop(96)).toEqual({ kind: 'center-crop', resize: 110, crop: 96 });
  });
  it('normalises with the ImageNet mean and std into planar channels', () => {
    const out = normalizeRgb(Uint8Array.from([255, 0, 128]), 1, 1);
    expect(out[0]).toBeCloseTo((1 - 0.485) / 0.229, 6);
    expect(out[1]).toBeCloseTo((0 - 0.456) / 0.224, 6);
    expect(out[2]).toBeCloseTo((128 / 255 - 0.406) / 0.225, 6);
  });
});

describe('loadEvalImage', () => {
  it('centre-crops a wide image to the crop size and keeps the middle', async () => {
    // 200 x 100: left third red, middle third green, right third blue.
    const w = 200;
    const h = 100;
    const px = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px[(y * w + x) * 3 + (x < 67 ? 0 : x < 133 ? 1 : 2)] = 255;
    const file = join(root, 'wide.png');
    await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(file);
    const img = await loadEvalImage(file, { kind: 'center-crop', resize: 64, crop: 56 });
    expect([img.w, img.h]).toEqual([56, 56]);
    // Resized to 128 x 64, cropped at left 36: the crop's centre column is green.
    const c = (28 * 56 + 28) * 3;
    expect(Array.from(img.rgb.subarray(c, c + 3))).toEqual([0, 255, 0]);
  });
  it("'none' crops to a patch multiple at the bottom/right; 'short-side' keeps the aspect", async () => {
    const file = join(root, 'odd.png');
    await sharp({ create: { width: 70, height: 45, channels: 3, background: { r: 10, g: 20, b: 30 } } }).png().toFile(file);
    const a = await loadEvalImage(file, { kind: 'none', patch: 16 });
    expect([a.w, a.h]).toEqual([64, 32]);
    const b = await loadEvalImage(file, { kind: 'short-side', size: 90, patch: 16 });
    expect([b.w, b.h]).toEqual([128, 80]); // 140 x 90 -> patch multiples
  });
  it('names an unreadable file', async () => {
    await expect(loadEvalImage(join(root, 'missing.jpg'), { kind: 'none', patch: 16 })).rejects.toThrow(/cannot read image .*missing\.jpg/);
  });
});

describe('holdOutSplit', () => {
  it('holds out the fraction per class, deterministically, without overlap', () => {
    const images = [...Array.from({ length: 10 }, (_, i) => ({ path: `/a/${i}.png`, label: 'a' })), ...Array.from({ length: 5 }, (_, i) => ({ path: `/b/${i}.png`, label: 'b' }))];
    const s1 = holdOutSplit(images, 0.2, 3);
    const s2 = holdOutSplit([...images].reverse(), 0.2, 3);
    expect(s1).toEqual(s2);
    expect(s1.val.filter((x) => x.label === 'a')).toHaveLength(2);
    expect(s1.val.filter((x) => x.label === 'b')).toHaveLength(1);
    expect(s1.train).toHaveLength(12);
    const valPaths = new Set(s1.val.map((x) => x.path));
    expect(s1.train.some((x) => valPaths.has(x.path))).toBe(false);
    expect(holdOutSplit(images, 0.2, 4).val).not.toEqual(s1.val);
    expect(() => holdOutSplit(images, 1, 0)).toThrow(/strictly between 0 and 1/);
  });
});

describe('FeatureCache', () => {
  it('evicts the oldest entries beyond its limit and keys by file modification time', async () => {
    const c = new FeatureCache(2);
    c.set('a', new Float32Array([1]));
    c.set('b', new Float32Array([2]));
    c.set('c', new Float32Array([3]));
    expect(c.get('a')).toBeUndefined();
    expect(c.get('c')![0]).toBe(3);
    const file = join(root, 'odd.png');
    const k1 = await FeatureCache.key('m', { kind: 'none', patch: 16 }, file);
    const k2 = await FeatureCache.key('m', { kind: 'none', patch: 8 }, file);
    expect(k1).not.toBe(k2);
  });
});
