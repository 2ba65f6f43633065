// The app's icon: resources/icon.png is resources/icon.svg rendered at 512 px, and the window is given it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { windowOptions } from '../../src/main/window-options';
import { REPO_ROOT } from '../support/shared-fixtures';

const svg = join(REPO_ROOT, 'resources/icon.svg');
const png = join(REPO_ROOT, 'resources/icon.png');

describe('app icon', () => {
  it('icon.png is a 512 px rendering of icon.svg (re-run scripts/render-icon.mjs after editing the SVG)', async () => {
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([512, 512, 'png']);
    const fresh = await sharp(svg, { density: 72 }).resize(512, 512).ensureAlpha().raw().toBuffer();
    const stored = await sharp(png).ensureAlpha().raw().toBuffer();
    expect(stored.length).toBe(fresh.length);
    let diff = 0;
    for (let i = 0; i < fresh.length; i++) diff += Math.abs(fresh[i]! - stored[i]!);
    expect(diff / fresh.length).toBeLessThan(1);
  });

  it('the window gets the icon', () => {
    expect(existsSync(png)).toBe(true);
    expect(windowOptions('/x/preload.cjs', png).icon).toBe(png);
  });
});
