// The dataset and augment channels through their handlers: progress events, the opened root, confinement, errors.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { augmentHandlers } from '../../../src/engine/handlers/augment-handlers';
import { datasetHandlers } from '../../../src/engine/handlers/dataset-handlers';
import { StudioFailure } from '../../../src/engine/studio-failure';
import { RECIPE_DEFAULTS, augmentPart } from '../../../src/shared/config-schema';
import { handlerContext } from '../../support/handler-context';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'multicrop-handlers-'));
  const png = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#a05020' } }).png().toBuffer();
  for (const cls of ['cats', 'dogs']) {
    await mkdir(join(dir, 'data', cls), { recursive: true });
    for (let i = 0; i < 3; i++) await writeFile(join(dir, 'data', cls, `${i}.png`), png);
  }
  await writeFile(join(dir, 'data', 'dogs', 'notes.jpg'), 'text');
  await writeFile(join(dir, 'elsewhere.png'), png);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A handler context that records events and keeps the opened roots, as the engine dispatcher does. */
const context = () => handlerContext({ dataDir: dir });

describe('dataset:scan handler', () => {
  it('scans an opened folder, emits progress ending at done = total, and opens nothing more', async () => {
    const ctx = context();
    ctx.allowRoot(join(dir, 'data'));
    const r = await datasetHandlers['dataset:scan']!({ path: join(dir, 'data') }, ctx);
    expect(r.layout).toBe('imagefolder');
    expect(r.classes).toEqual([
      { name: 'cats', count: 3 },
      { name: 'dogs', count: 3 },
    ]);
    expect(r.skipped.map((s) => [s.path, s.reason])).toEqual([[join(dir, 'data', 'dogs', 'notes.jpg'), 'not an image']]);
    const last = ctx.events.at(-1)!;
    expect(last.done).toBe(7);
    expect(last.total).toBe(7);
    expect(ctx.roots).toEqual([join(dir, 'data')]);
  });

  it('fails with not_found for a missing folder and bad_input for a file', async () => {
    const ctx = context();
    ctx.allowRoot(dir);
    await expect(datasetHandlers['dataset:scan']!({ path: join(dir, 'missing') }, ctx)).rejects.toMatchObject({ code: 'not_found' });
    await expect(datasetHandlers['dataset:scan']!({ path: join(dir, 'elsewhere.png') }, ctx)).rejects.toMatchObject({ code: 'bad_input' });
    await expect(datasetHandlers['dataset:scan']!({ path: join(dir, 'elsewhere.png') }, context())).rejects.toBeInstanceOf(StudioFailure);
  });
});

describe('augment handlers', () => {
  const config = augmentPart(RECIPE_DEFAULTS);

  it('previews an image inside an opened folder and refuses one outside', async () => {
    const ctx = context();
    ctx.allowRoot(join(dir, 'data'));
    const r = await augmentHandlers['augment:preview']!({ image: join(dir, 'data', 'cats', '0.png'), config, seed: 3 }, ctx);
    expect(r.views.length).toBe(10);
    expect([r.width, r.height]).toEqual([60, 40]);
    for (const v of r.views) {
      // the UI gets JPEG views (a tenth of PNG's bytes); each decodes to its crop size
      expect(v.png.startsWith('data:image/jpeg;base64,')).toBe(true);
      const m = await sharp(Buffer.from(v.png.split(',')[1]!, 'base64')).metadata();
      expect([m.format, m.width, m.height]).toEqual(['jpeg', v.size, v.size]);
    }
    await expect(augmentHandlers['augment:preview']!({ image: join(dir, 'elsewhere.png'), config, seed: 3 }, ctx)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('samples box statistics', async () => {
    const s = await augmentHandlers['augment:stats']!({ config, seed: 1, samples: 500, width: 640, height: 480 }, context());
    expect(s.samples).toBe(500);
    expect(s.perView.map((v) => v.areaFractions.length)).toEqual([500, 500, 500]);
  });
});
