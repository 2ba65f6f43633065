// Tests of the built-in sample dataset: layout and counts, determinism, idempotence/repair, variety, that shape (not colour) tells the classes apart, masks that match the drawn objects, and labels a fresh network cannot separate.
import { mkdtemp, readFile, readdir, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceToSegment } from '../../../src/engine/sample/render-sample';
import { createDinoSystem } from '../../../src/engine/train/dino-system';
import { OnlineEvaluator, resolveOnlineSplit } from '../../../src/engine/eval/online-eval';
import { scanDataset } from '../../../src/engine/dataset/scan-dataset';
import { startBackend } from '../../../src/engine/backends/select-backend';
import { presetConfig } from '../../../src/shared/config-schema';
import {
  SAMPLE_MASKS_DIR_NAME,
  SAMPLE_SPLITS,
  SAMPLE_TOTAL,
  ensureSampleDataset,
  readValidSampleManifest,
  sampleManifestPath,
  type SampleFileEntry,
  type SampleManifest,
} from '../../../src/engine/sample/sample-dataset';
import { SAMPLE_CLASSES } from '../../../src/engine/sample/shape-sdf';

let dirA: string;
let dirB: string;
let rootA: string;
let manifestA: SampleManifest;
const progress: [number, number][] = [];

beforeAll(async () => {
  dirA = await mkdtemp(join(tmpdir(), 'sample-a-'));
  dirB = await mkdtemp(join(tmpdir(), 'sample-b-'));
  rootA = await ensureSampleDataset(dirA, (d, t) => progress.push([d, t]));
  manifestA = JSON.parse(await readFile(sampleManifestPath(dirA), 'utf8')) as SampleManifest;
});
afterAll(async () => {
  await rm(dirA, { recursive: true, force: true });
  await rm(dirB, { recursive: true, force: true });
});

async function snapshot(root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const split of await readdir(root)) {
    for (const cls of await readdir(join(root, split))) {
      for (const f of await readdir(join(root, split, cls))) out.set(`${split}/${cls}/${f}`, await readFile(join(root, split, cls, f)));
    }
  }
  return out;
}

describe('sample dataset layout', () => {
  it('is an ImageFolder with train/ and val/, six classes and the documented counts of real JPEGs', async () => {
    expect(rootA).toBe(join(dirA, 'sample-dataset'));
    expect((await readdir(rootA)).sort()).toEqual(['train', 'val']);
    for (const split of ['train', 'val'] as const) {
      expect((await readdir(join(rootA, split))).sort()).toEqual([...SAMPLE_CLASSES].sort());
      for (const cls of SAMPLE_CLASSES) {
        const files = await readdir(join(rootA, split, cls));
        expect(files).toHaveLength(SAMPLE_SPLITS[split]);
        expect(files.every((f) => f.endsWith('.jpg'))).toBe(true);
      }
    }
    const sizes = new Set<string>();
    for (const f of manifestA.files) {
      const meta = await sharp(join(rootA, f.path)).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.channels).toBe(3);
      expect([meta.width, meta.height]).toEqual([f.width, f.height]);
      expect(meta.width).toBeGreaterThanOrEqual(160);
      expect(meta.width).toBeLessThanOrEqual(320);
      expect(meta.height).toBeGreaterThanOrEqual(160);
      expect(meta.height).toBeLessThanOrEqual(320);
      sizes.add(`${meta.width}x${meta.height}`);
    }
    expect(sizes.size).toBeGreaterThan(30); // varied sizes and aspect ratios
    expect(progress.at(-1)).toEqual([SAMPLE_TOTAL, SAMPLE_TOTAL]);
  });

  it('has no two identical images', () => {
    expect(new Set(manifestA.files.map((f) => f.sha256)).size).toBe(SAMPLE_TOTAL);
  });
});

describe('sample dataset generation', () => {
  it('is deterministic: a second data folder gets the same bytes', async () => {
    const rootB = await ensureSampleDataset(dirB);
    const a = await snapshot(rootA);
    const b = await snapshot(rootB);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, buf] of a) expect(b.get(k)!.equals(buf), k).toBe(true);
  });

  it('is idempotent: a second call rewrites nothing', async () => {
    const f = join(rootA, manifestA.files[7]!.path);
    const before = (await stat(f)).mtimeMs;
    const manifestBefore = (await stat(sampleManifestPath(dirA))).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    expect(await ensureSampleDataset(dirA)).toBe(rootA);
    expect((await stat(f)).mtimeMs).toBe(before);
    expect((await stat(sampleManifestPath(dirA))).mtimeMs).toBe(manifestBefore);
  });

  it('regenerates a damaged or half-written set (truncated file, missing file, missing marker)', async () => {
    const victim = join(rootB(), manifestA.files[3]!.path);
    const original = await readFile(victim);
    await truncate(victim, 100);
    expect(await readValidSampleManifest(dirB)).toBeNull();
    await ensureSampleDataset(dirB);
    expect((await readFile(victim)).equals(original)).toBe(true);

    // Half-written: images partly there, marker absent (it is written last).
    await unlink(join(rootB(), manifestA.files[200]!.path));
    await unlink(sampleManifestPath(dirB));
    await writeFile(join(rootB(), 'val', 'circle', 'stray.jpg'), 'partial');
    await ensureSampleDataset(dirB);
    const again = await snapshot(rootB());
    expect(again.size).toBe(SAMPLE_TOTAL);
    expect(again.has('val/circle/stray.jpg')).toBe(false);
    expect(await readValidSampleManifest(dirB)).not.toBeNull();
  });
});

function rootB(): string {
  return join(dirB, 'sample-dataset');
}

/** Rotation- and scale-invariant shape features measured on the decoded JPEG, segmenting by the shape's colour. */
async function shapeFeatures(root: string, f: SampleFileEntry): Promise<{ shape: number[]; colour: number[] }> {
  const { data, info } = await sharp(join(root, f.path)).raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const mask = new Uint8Array(width * height);
  let n = 0;
  let sx = 0;
  let sy = 0;
  let mr = 0;
  let mg = 0;
  let mb = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = 3 * (y * width + x);
      mr += data[o]!;
      mg += data[o + 1]!;
      mb += data[o + 2]!;
      const d = Math.hypot(data[o]! - f.objects[0]!.color[0], data[o + 1]! - f.objects[0]!.color[1], data[o + 2]! - f.objects[0]!.color[2]);
      if (d < 75) {
        mask[y * width + x] = 1;
        n++;
        sx += x;
        sy += y;
      }
    }
  }
  const cx = sx / n;
  const cy = sy / n;
  let rmax = 0;
  const rows: [number, number][] = []; // hull candidates: leftmost and rightmost mask pixel per row
  for (let y = 0; y < height; y++) {
    let l = -1;
    let r = -1;
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      if (l < 0) l = x;
      r = x;
      rmax = Math.max(rmax, Math.hypot(x - cx, y - cy));
    }
    if (l >= 0) rows.push([l, y], [r, y]);
  }
  let core = 0;
  const coreR = 0.25 * rmax;
  for (let y = Math.floor(cy - coreR); y <= Math.ceil(cy + coreR); y++) {
    for (let x = Math.floor(cx - coreR); x <= Math.ceil(cx + coreR); x++) {
      if (Math.hypot(x - cx, y - cy) <= coreR && mask[y * width + x]) core++;
    }
  }
  const hull = convexHullArea(rows);
  const pixels = width * height;
  return {
    shape: [n / (Math.PI * rmax * rmax), n / hull, core / (Math.PI * coreR * coreR)],
    colour: [mr / pixels, mg / pixels, mb / pixels],
  };
}

function convexHullArea(points: [number, number][]): number {
  const p = points.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: number[], a: number[], b: number[]) => (a[0]! - o[0]!) * (b[1]! - o[1]!) - (a[1]! - o[1]!) * (b[0]! - o[0]!);
  const lower: [number, number][] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower.at(-2)!, lower.at(-1)!, q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: [number, number][] = [];
  for (const q of p.reverse()) {
    while (upper.length >= 2 && cross(upper.at(-2)!, upper.at(-1)!, q) <= 0) upper.pop();
    upper.push(q);
  }
  const h = lower.slice(0, -1).concat(upper.slice(0, -1));
  let a = 0;
  for (let i = 0; i < h.length; i++) {
    const [x1, y1] = h[i]!;
    const [x2, y2] = h[(i + 1) % h.length]!;
    a += x1 * y2 - x2 * y1;
  }
  return Math.abs(a) / 2 + 1; // +1: pixel centres understate the covered area
}

/** Nearest class centroid (features standardised on train); accuracy on val. */
function nearestCentroidAccuracy(train: { x: number[]; y: string }[], val: { x: number[]; y: string }[]): number {
  const dim = train[0]!.x.length;
  const mean = Array.from({ length: dim }, (_, k) => train.reduce((s, t) => s + t.x[k]!, 0) / train.length);
  const sd = Array.from({ length: dim }, (_, k) => Math.sqrt(train.reduce((s, t) => s + (t.x[k]! - mean[k]!) ** 2, 0) / train.length) || 1);
  const z = (x: number[]) => x.map((v, k) => (v - mean[k]!) / sd[k]!);
  const centroids = new Map<string, number[]>();
  for (const cls of SAMPLE_CLASSES) {
    const rows = train.filter((t) => t.y === cls).map((t) => z(t.x));
    centroids.set(cls, Array.from({ length: dim }, (_, k) => rows.reduce((s, r) => s + r[k]!, 0) / rows.length));
  }
  let right = 0;
  for (const v of val) {
    const zx = z(v.x);
    let best = '';
    let bestD = Infinity;
    for (const [cls, c] of centroids) {
      const d = c.reduce((s, ck, k) => s + (ck - zx[k]!) ** 2, 0);
      if (d < bestD) {
        bestD = d;
        best = cls;
      }
    }
    if (best === v.y) right++;
  }
  return right / val.length;
}

describe('sample dataset content', () => {
  it('classes are separable by shape statistics measured on the JPEGs, and not by colour', async () => {
    const feats = await Promise.all(manifestA.files.map(async (f) => ({ f, ...(await shapeFeatures(rootA, f)) })));
    const rows = (split: string, which: 'shape' | 'colour') =>
      feats.filter((r) => r.f.split === split).map((r) => ({ x: r[which], y: r.f.cls }));
    const shapeAcc = nearestCentroidAccuracy(rows('train', 'shape'), rows('val', 'shape'));
    const colourAcc = nearestCentroidAccuracy(rows('train', 'colour'), rows('val', 'colour'));
    expect(shapeAcc).toBeGreaterThanOrEqual(0.9);
    expect(colourAcc).toBeLessThan(0.4); // chance is 1/6: colour carries (almost) no label information
  });
});

describe('sample dataset masks', () => {
  it('live beside the dataset (not among its images), one PNG per image of the same size', async () => {
    expect((await readdir(dirA)).sort()).toEqual(['sample-dataset', 'sample-dataset-masks', 'sample-dataset.manifest.json']);
    for (const f of manifestA.files.slice(0, 40)) {
      const meta = await sharp(join(dirA, SAMPLE_MASKS_DIR_NAME, f.mask)).metadata();
      expect(meta.format).toBe('png');
      expect([meta.width, meta.height]).toEqual([f.width, f.height]);
    }
  });

  it('match the drawn objects: inside pixels have an object colour, outside pixels the background colours', async () => {
    let inside = 0;
    let insideOk = 0;
    let outside = 0;
    let outsideOk = 0;
    let share = 0;
    for (const f of manifestA.files.filter((_, i) => i % 5 === 0)) {
      const img = await sharp(join(rootA, f.path)).raw().toBuffer();
      const mask = await sharp(join(dirA, SAMPLE_MASKS_DIR_NAME, f.mask)).extractChannel(0).raw().toBuffer();
      let n = 0;
      for (let p = 0; p < mask.length; p++) {
        const c: [number, number, number] = [img[3 * p]!, img[3 * p + 1]!, img[3 * p + 2]!];
        if (mask[p] === 255) {
          n++;
          inside++;
          if (f.objects.some((o) => Math.hypot(c[0] - o.color[0], c[1] - o.color[1], c[2] - o.color[2]) < 40)) insideOk++;
        } else if (mask[p] === 0) {
          outside++;
          if (distanceToSegment(c, f.background.a, f.background.b) < 40) outsideOk++;
        }
      }
      // The manifest's object share is the mask's (>= 128) share; the 255-pixels alone are within the anti-aliased rim of it.
      expect(n / mask.length).toBeLessThanOrEqual(f.objectShare + 1e-9);
      share += f.objectShare;
    }
    // JPEG ringing at the edges: all but a few percent of the pixels are within 40 of the colour drawn there.
    expect(insideOk / inside).toBeGreaterThan(0.97);
    expect(outsideOk / outside).toBeGreaterThan(0.97);
    const mean = share / Math.ceil(manifestA.files.length / 5);
    expect(mean).toBeGreaterThan(0.1);
    expect(mean).toBeLessThan(0.4);
  });
});

describe('sample dataset labels at initialisation', () => {
  it('a fresh network of the default preset cannot separate the classes: k-NN top-1 within a few points of chance, on 3 seeds', async () => {
    await startBackend('wasm');
    const train = join(rootA, 'train');
    const images = (await scanDataset(train)).images;
    const chance = 1 / SAMPLE_CLASSES.length;
    const top1: number[] = [];
    for (const seed of [0, 1, 2]) {
      const config = { ...presetConfig('cpu-small'), seed };
      const split = await resolveOnlineSplit(train, images, config);
      if ('none' in split) throw new Error(split.none);
      expect(split.kind).toBe('val-folder');
      const ev = await OnlineEvaluator.create(split, config);
      const system = await createDinoSystem(config, { seed });
      try {
        top1.push((await ev.evaluate(system.getState().teacher, 0)).knnTop1);
      } finally {
        system.dispose();
      }
    }
    // 90 val images: one standard deviation of a chance-level score is about 4 points.
    for (const t of top1) expect(Math.abs(t - chance), `top-1 ${top1.join(', ')} vs chance ${chance}`).toBeLessThan(0.1);
  }, 120_000);
});
