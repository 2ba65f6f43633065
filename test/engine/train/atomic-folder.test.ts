// Atomic checksummed folders: complete or absent after failures, corruption and truncation detected by the manifest.
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { durableWrite, removeTempFolders, verifyFolder, writeAtomicFolder, writeFileAtomic } from '../../../src/engine/train/atomic-folder';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'mc-atomic-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

describe('writeAtomicFolder', () => {
  it('writes every file and a manifest whose checksums verify', async () => {
    const p = tmp();
    await writeAtomicFolder(p, 'a', { 'x.bin': bytes(1000, 1), 'y.json': new TextEncoder().encode('{"k":1}') });
    expect(readdirSync(join(p, 'a')).sort()).toEqual(['manifest.json', 'x.bin', 'y.json']);
    const m = JSON.parse(readFileSync(join(p, 'a', 'manifest.json'), 'utf8'));
    expect(m.files['x.bin'].bytes).toBe(1000);
    // sha256 of the same bytes computed independently by node:crypto in a different way (hex of digest)
    const { createHash } = await import('node:crypto');
    expect(m.files['x.bin'].sha256).toBe(createHash('sha256').update(Buffer.from(bytes(1000, 1))).digest('hex'));
    expect((await verifyFolder(join(p, 'a'))).ok).toBe(true);
  });

  it('detects a flipped byte, a truncated file, a missing file and a missing manifest', async () => {
    const p = tmp();
    for (const n of ['flip', 'trunc', 'gone', 'nomani']) await writeAtomicFolder(p, n, { 'x.bin': bytes(500, 2), 'z.bin': bytes(10, 3) });
    const f = join(p, 'flip', 'x.bin');
    const b = readFileSync(f);
    b[123] ^= 1;
    writeFileSync(f, b);
    truncateSync(join(p, 'trunc', 'x.bin'), 499);
    rmSync(join(p, 'gone', 'z.bin'));
    rmSync(join(p, 'nomani', 'manifest.json'));
    const r = await Promise.all(['flip', 'trunc', 'gone', 'nomani'].map((n) => verifyFolder(join(p, n))));
    expect(r.map((x) => x.ok)).toEqual([false, false, false, false]);
    expect(r.map((x) => (x.ok ? '' : x.reason))).toEqual([
      expect.stringContaining('sha256'),
      expect.stringContaining('truncated'),
      expect.stringContaining('missing'),
      expect.stringContaining('manifest.json is missing'),
    ]);
  });

  it('on a failing write (ENOSPC) leaves no folder and no temp folder, and keeps an existing folder of the same name', async () => {
    const p = tmp();
    await writeAtomicFolder(p, 'keep', { 'x.bin': bytes(64, 4) });
    let calls = 0;
    const failing = async (path: string, data: Uint8Array) => {
      if (++calls === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      await durableWrite(path, data);
    };
    await expect(writeAtomicFolder(p, 'new', { 'a.bin': bytes(64, 5), 'b.bin': bytes(64, 6) }, failing)).rejects.toMatchObject({ code: 'ENOSPC' });
    calls = 0;
    await expect(writeAtomicFolder(p, 'keep', { 'a.bin': bytes(64, 5), 'b.bin': bytes(64, 6) }, failing)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(readdirSync(p).sort()).toEqual(['keep']);
    expect(readdirSync(join(p, 'keep')).sort()).toEqual(['manifest.json', 'x.bin']);
    expect((await verifyFolder(join(p, 'keep'))).ok).toBe(true);
  });

  it('replaces an existing folder of the same name with the new complete one', async () => {
    const p = tmp();
    await writeAtomicFolder(p, 'c', { 'x.bin': bytes(10, 1) });
    await writeAtomicFolder(p, 'c', { 'y.bin': bytes(20, 2) });
    expect(readdirSync(p)).toEqual(['c']);
    expect(readdirSync(join(p, 'c')).sort()).toEqual(['manifest.json', 'y.bin']);
    expect((await verifyFolder(join(p, 'c'))).ok).toBe(true);
  });

  it('removes temp folders left by an interrupted write and writes single files atomically', async () => {
    const p = tmp();
    await writeAtomicFolder(p, 'ok', { 'x.bin': bytes(10, 1) });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(p, '.tmp-step-00000005-abcd'));
    writeFileSync(join(p, '.tmp-step-00000005-abcd', 'x.bin'), 'partial');
    expect(await removeTempFolders(p)).toEqual(['.tmp-step-00000005-abcd']);
    expect(readdirSync(p)).toEqual(['ok']);
    await writeFileAtomic(join(p, 'f.json'), '{"a":1}');
    await writeFileAtomic(join(p, 'f.json'), '{"a":2}');
    expect(readFileSync(join(p, 'f.json'), 'utf8')).toBe('{"a":2}');
    expect(readdirSync(p).sort()).toEqual(['f.json', 'ok']);
  });
});
