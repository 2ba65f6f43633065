// The one confinement rule behind the image protocol and the web host's /image: `..`, absolute paths elsewhere and symlinks out are refused.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confinePath, confinePathSync } from '../../../src/engine/roots/confine-path';
import { readConfinedImage } from '../../../src/engine/roots/image-service';
import { AllowedRoots } from '../../../src/engine/roots/allowed-roots';

let base: string;
let root: string;
let outside: string;
beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'confine-'));
  root = join(base, 'opened');
  outside = join(base, 'private');
  mkdirSync(join(root, 'cats'), { recursive: true });
  mkdirSync(outside);
  const png = await sharp({ create: { width: 60, height: 30, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toBuffer();
  writeFileSync(join(root, 'cats', 'a.png'), png);
  writeFileSync(join(outside, 'secret.png'), png);
  writeFileSync(join(root, 'notes.txt'), 'not an image');
  symlinkSync(join(outside, 'secret.png'), join(root, 'cats', 'link-out.png'));
  symlinkSync(outside, join(root, 'dir-link-out'));
  symlinkSync(join(root, 'cats', 'a.png'), join(root, 'link-in.png'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('confinePath', () => {
  it('allows a file inside an opened folder (and a symlink that stays inside)', async () => {
    expect((await confinePath(join(root, 'cats', 'a.png'), [root])).ok).toBe(true);
    expect((await confinePath(join(root, 'link-in.png'), [root])).ok).toBe(true);
  });
  it('refuses `..` even when it would land inside', async () => {
    const r = await confinePath(`${root}/cats/../cats/a.png`, [root]);
    expect(r.ok).toBe(false);
    expect(await confinePath(`${root}/../private/secret.png`, [root])).toMatchObject({ ok: false });
  });
  it('refuses absolute paths outside every opened folder', async () => {
    expect(await confinePath(join(outside, 'secret.png'), [root])).toMatchObject({ ok: false });
    expect(await confinePath('/etc/passwd', [root])).toMatchObject({ ok: false });
    // a sibling whose name starts with the root's name is not inside it
    mkdirSync(root + '-evil', { recursive: true });
    writeFileSync(root + '-evil/x.png', 'x');
    expect(await confinePath(root + '-evil/x.png', [root])).toMatchObject({ ok: false });
  });
  it('refuses symlinks that point out of the folder (file and directory links)', async () => {
    expect(await confinePath(join(root, 'cats', 'link-out.png'), [root])).toMatchObject({ ok: false });
    expect(await confinePath(join(root, 'dir-link-out', 'secret.png'), [root])).toMatchObject({ ok: false });
    expect(confinePathSync(join(root, 'dir-link-out', 'secret.png'), [root]).ok).toBe(false);
  });
  it('refuses relative, empty, NUL-containing and over-long paths', async () => {
    for (const p of ['cats/a.png', '', `${root}/cats/a.png\0.txt`, '/' + 'a'.repeat(5000)]) {
      expect((await confinePath(p, [root])).ok, JSON.stringify(p.slice(0, 40))).toBe(false);
    }
  });
  it('allows nothing when no folder was opened', async () => {
    expect((await confinePath(join(root, 'cats', 'a.png'), [])).ok).toBe(false);
  });
});

describe('readConfinedImage', () => {
  it('serves an image inside, resized without enlarging', async () => {
    const r = await readConfinedImage(join(root, 'cats', 'a.png'), 20, [root]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const meta = await sharp(Buffer.from(r.bytes)).metadata();
    expect([meta.width, meta.height]).toEqual([20, 10]);
    const big = await readConfinedImage(join(root, 'cats', 'a.png'), 600, [root]);
    expect(big.ok && (await sharp(Buffer.from(big.bytes)).metadata()).width).toBe(60);
  });
  it('answers 403 outside, 404 missing, 415 for a non-image, 400 for a bad width', async () => {
    expect(await readConfinedImage(join(root, 'cats', 'link-out.png'), 20, [root])).toMatchObject({ ok: false, status: 403 });
    expect(await readConfinedImage(join(root, 'cats', 'missing.png'), 20, [root])).toMatchObject({ ok: false, status: 404 });
    expect(await readConfinedImage(join(root, 'notes.txt'), 20, [root])).toMatchObject({ ok: false, status: 415 });
    for (const w of [0, -5, 1.5, Number.NaN, 1e9]) {
      expect(await readConfinedImage(join(root, 'cats', 'a.png'), w, [root])).toMatchObject({ ok: false, status: 400 });
    }
  });
});

describe('AllowedRoots', () => {
  it('persists opened folders in the data folder and lists recent datasets (not the fixed runs folder)', () => {
    const data = join(base, 'data');
    const runs = join(data, 'runs');
    const a = new AllowedRoots(data, [runs]);
    expect(a.check(join(root, 'cats', 'a.png')).ok).toBe(false);
    a.allow(root);
    expect(a.check(join(root, 'cats', 'a.png')).ok).toBe(true);
    const b = new AllowedRoots(data, [runs]);
    expect(b.check(join(root, 'cats', 'a.png')).ok).toBe(true);
    expect(b.recentDatasets()).toEqual([root]);
    expect(b.list()).toContain(runs);
  });
});
