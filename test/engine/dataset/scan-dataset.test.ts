// Dataset scan: the hostile corpus (every file used or listed with its reason, folder untouched), hymenoptera, 100,000 entries.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeShared } from '../../support/shared-suite';
import { scanDataset } from '../../../src/engine/dataset/scan-dataset';
import { produceBatch } from '../../../src/engine/loader/produce-batch';
import { RECIPE_DEFAULTS, augmentPart } from '../../../src/shared/config-schema';
import { HAS_SHARED, HYMENOPTERA, SKIP_SHARED_REASON } from '../../support/shared-fixtures';
import { hashTree, writeHostileCorpus, type Expectation } from './hostile-corpus';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'multicrop-scan-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('scan of a hostile corpus', () => {
  let root: string;
  let expected: Map<string, Expectation>;
  beforeAll(async () => {
    root = join(tmp, 'corpus');
    const outside = join(tmp, 'outside');
    await mkdir(root);
    await mkdir(outside);
    expected = await writeHostileCorpus(root, outside);
  });

  it('uses every usable file, lists every other one with its reason, and leaves the folder byte-identical', async () => {
    const before = await hashTree(tmp);
    const progress: [number, number | null][] = [];
    const r = await scanDataset(root, { onProgress: (d, t) => progress.push([d, t]), progressMs: 0 });
    expect(await hashTree(tmp)).toBe(before);
    expect(r.layout).toBe('imagefolder');
    const got = new Map<string, Expectation>();
    for (const e of r.images) got.set(e.rel, { ok: true, width: e.width, height: e.height, format: e.format });
    for (const s of r.skipped) got.set(relative(root, s.path), { ok: false, reason: s.reason });
    expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...expected].sort()));
    for (const s of r.skipped) expect(s.detail).toBeTruthy();
    expect(r.classes).toEqual([{ name: 'good', count: [...expected.values()].filter((e) => e.ok).length }]);
    expect(progress.at(-1)).toEqual([r.images.length + r.skipped.filter((s) => !['symlink loop', 'outside folder'].includes(s.reason) && !s.path.endsWith('broken-link.jpg') && !s.path.endsWith('fifo.jpg')).length, expect.any(Number)]);
  });

  it('decodes every usable file of the corpus into views (RGB, EXIF applied) without a load failure', async () => {
    const before = await hashTree(tmp);
    const r = await scanDataset(root);
    const config = { ...augmentPart(RECIPE_DEFAULTS), globalSize: 32, localSize: 16, localCrops: 2 };
    const items = r.images.map((e, index) => ({ index, path: e.path, width: e.width, height: e.height, format: e.format }));
    const out = await produceBatch({ epoch: 0, index: 0, items }, { config, seed: 1, maxPixels: 1e8 });
    expect(out.failures).toEqual([]);
    for (const g of out.groups) for (const v of g.data) expect(Number.isFinite(v)).toBe(true);
    expect(await hashTree(tmp)).toBe(before);
  });

  it('lowering maxPixels skips large images by their header', async () => {
    const r = await scanDataset(root, { maxPixels: 1000 });
    const wide = r.skipped.find((s) => s.path.endsWith('wide 4000x60.jpg'));
    expect(wide?.reason).toBe('too many pixels');
    expect(r.images.every((e) => e.width * e.height <= 1000)).toBe(true);
  });

  it('lists a file deleted during the scan as unreadable', async () => {
    const dir = join(tmp, 'vanishing');
    await mkdir(dir);
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toBuffer();
    for (let i = 0; i < 50; i++) await writeFile(join(dir, `f${String(i).padStart(2, '0')}.png`), png);
    let deleted = false;
    const r = await scanDataset(dir, {
      progressMs: 0,
      concurrency: 1,
      onProgress: (_d, total) => {
        if (total !== null && !deleted) {
          deleted = true;
          void unlink(join(dir, 'f49.png'));
        }
      },
    });
    expect(r.layout).toBe('flat');
    expect(r.images.length).toBe(49);
    expect(r.skipped).toEqual([{ path: join(dir, 'f49.png'), reason: 'unreadable', detail: expect.any(String) }]);
  });
});

describe('scan of 100,000 entries', () => {
  it('finishes, counts every entry and throttles progress', async () => {
    // On tmpfs when there is one: creating 100,000 files on a busy disk takes minutes.
    const base = existsSync('/dev/shm') ? await mkdtemp('/dev/shm/multicrop-many-') : tmp;
    const dir = join(base, 'many');
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#204060' } }).png().toBuffer();
    await mkdir(dir, { recursive: true });
    // touch(1) creates the 100,000 empty files far faster than one writeFile each.
    execFileSync('sh', ['-c', 'for d in $(seq -w 0 99); do mkdir class$d && (cd class$d && seq 0 999 | sed "s/$/.png/" | xargs touch); done'], { cwd: dir });
    for (let d = 0; d < 100; d++) for (let f = 0; f < 10; f++) await writeFile(join(dir, `class${String(d).padStart(2, '0')}`, `${f}.png`), png);
    let events = 0;
    const t0 = performance.now();
    const r = await scanDataset(dir, { onProgress: () => events++ });
    const seconds = (performance.now() - t0) / 1000;
    expect(r.images.length).toBe(1000);
    expect(r.skipped.length).toBe(99_000);
    expect(r.skipped.every((s) => s.reason === 'empty')).toBe(true);
    expect(r.classes.length).toBe(100);
    expect(events).toBeLessThanOrEqual(seconds * 10 + 5); // at most one event per 100 ms, plus the final ones
    await rm(base === tmp ? dir : base, { recursive: true, force: true });
  });
});

describeShared(`hymenoptera${HAS_SHARED ? '' : ` (${SKIP_SHARED_REASON})`}`, () => {
  it('finds every file of train and val as usable, the GIF placeholder included', async () => {
    const r = await scanDataset(HYMENOPTERA);
    expect(r.skipped).toEqual([]);
    expect(r.images.length).toBe(398);
    expect(r.classes).toEqual([
      { name: 'train', count: 245 },
      { name: 'val', count: 153 },
    ]);
    expect(r.images.find((e) => e.rel.endsWith('imageNotFound.gif'))?.format).toBe('gif');
    const t = await scanDataset(join(HYMENOPTERA, 'train'));
    expect(t.classes).toEqual([
      { name: 'ants', count: 124 },
      { name: 'bees', count: 121 },
    ]);
  });
});
