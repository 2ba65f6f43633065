// The preview overview: every view's box drawn in its colour at its crop box on the (EXIF-oriented) source, and each view's own picture in its tile.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPreviewOverview } from '../../../src/engine/augment/preview-overview';
import { renderPreview } from '../../../src/engine/augment/render-preview';
import { RECIPE_DEFAULTS, augmentPart } from '../../../src/shared/config-schema';
import { viewColour } from '../../../src/shared/view-colours';

// Grey source, no colour ops, no flips: the only colours on the overview's source part are the boxes.
const C = { ...augmentPart(RECIPE_DEFAULTS), localCrops: 4, jitterProb: 0, grayscaleProb: 0, global1BlurProb: 0, global2BlurProb: 0, localBlurProb: 0, global2SolarizeProb: 0 };
let dir: string;
let source: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'multicrop-overview-'));
  source = join(dir, 'rotated.png');
  // 300x200 stored with EXIF orientation 6: 200x300 as seen; top (as seen) half grey 90, bottom half grey 170.
  const raw = Buffer.alloc(300 * 200 * 3);
  for (let y = 0; y < 200; y++) for (let x = 0; x < 300; x++) raw.fill(x < 150 ? 90 : 170, 3 * (y * 300 + x), 3 * (y * 300 + x) + 3);
  await writeFile(source, await sharp(raw, { raw: { width: 300, height: 200, channels: 3 } }).jpeg({ quality: 98 }).withMetadata({ orientation: 6 }).toBuffer());
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));

describe('renderPreviewOverview', () => {
  it('draws each box in its view colour at the box, and puts each view in its tile', async () => {
    const p = await renderPreview(source, C, 3);
    const { png, layout } = await renderPreviewOverview(source, p, 1e8);
    const img = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([img.info.width, img.info.height]).toEqual([layout.width, layout.height]);
    const at = (x: number, y: number) => {
      const i = 3 * (Math.round(y) * img.info.width + Math.round(x));
      return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
    };
    const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 12);
    // oriented: 200 wide, 300 tall, scaled to 640 px tall
    expect(layout.source.h).toBe(640);
    expect(layout.source.w).toBe(Math.round((200 * 640) / 300));
    for (const v of p.views) {
      const want = hex(viewColour(v.name));
      const { x: sx, y: sy, scale } = layout.source;
      // the four edges of the box (the top-left label tag is in the same colour)
      let hits = 0;
      let samples = 0;
      const X = (f: number) => sx + (v.box.x + f * v.box.w) * scale;
      const Y = (f: number) => sy + (v.box.y + f * v.box.h) * scale;
      for (let t = 0.05; t <= 0.95; t += 0.05) {
        for (const [x, y] of [[X(0), Y(t)], [X(1), Y(t)], [X(t), Y(0)], [X(t), Y(1)]] as const) {
          samples++;
          if (near(at(x, y), want)) hits++;
        }
      }
      // boxes cross and may share an edge (a local crop ending where a global one ends): most of each box still shows
      expect(hits / samples, v.name).toBeGreaterThan(0.6);
    }
    // the source itself is there (grey 90 above, 170 below, as seen after orientation) where no box passes
    const clear = (x: number, y: number) => p.views.every((v) => {
      const bx = layout.source.x + v.box.x * layout.source.scale;
      const by = layout.source.y + v.box.y * layout.source.scale;
      const bw = v.box.w * layout.source.scale;
      const bh = v.box.h * layout.source.scale;
      const onEdge = (Math.abs(x - bx) < 6 || Math.abs(x - bx - bw) < 6) && y > by - 6 && y < by + bh + 6;
      const onTop = (Math.abs(y - by) < 6 || Math.abs(y - by - bh) < 6 || (y >= by && y < by + 22)) && x > bx - 6 && x < bx + bw + 6;
      return !onEdge && !onTop;
    });
    let checked = 0;
    for (let y = layout.source.y + 10; y < layout.source.y + layout.source.h - 10; y += 37) {
      for (let x = layout.source.x + 10; x < layout.source.x + layout.source.w - 10; x += 29) {
        if (!clear(x, y)) continue;
        const g = y - layout.source.y < layout.source.h / 2 ? 90 : 170;
        if (Math.abs(y - layout.source.y - layout.source.h / 2) < 8) continue;
        expect(near(at(x, y), [g, g, g]), `source pixel at ${x},${y}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
    // each tile holds its view: mean colour of the tile equals the view PNG's mean
    expect(layout.tiles.map((t) => t.name)).toEqual(p.views.map((v) => v.name));
    for (const [i, t] of layout.tiles.entries()) {
      const view = p.views[i]!;
      const viewStats = await sharp(Buffer.from(view.png.slice(view.png.indexOf(',') + 1), 'base64')).stats();
      // (stats() reads its input, so extract to a buffer first)
      const tileStats = await sharp(await sharp(png).extract({ left: t.x, top: t.y, width: t.size, height: t.size }).png().toBuffer()).stats();
      for (let ch = 0; ch < 3; ch++) expect(Math.abs(tileStats.channels[ch]!.mean - viewStats.channels[ch]!.mean), `${t.name} channel ${ch}`).toBeLessThan(3);
    }
    // globals are 192 px tiles, locals in proportion (96/224)
    expect(layout.tiles[0]!.size).toBe(192);
    expect(layout.tiles[2]!.size).toBe(Math.round((192 * 96) / 224));
  });
});
