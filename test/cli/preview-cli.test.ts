// `multicrop preview` as a person runs it: the views, overview.png (boxes on the source and the views) and views.json; a setting it does not use is refused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'multicrop-preview-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

describe('multicrop preview', () => {
  it('writes every view, overview.png and views.json', async () => {
    const image = join(dir, 'source.png');
    await sharp({ create: { width: 120, height: 90, channels: 3, background: '#808080' } }).png().toFile(image);
    const out = join(dir, 'views');
    const r = cli('preview', image, '--out', out, '--local-crops', '3', '--json');
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'views.json'), 'utf8')) as { overviews: string[]; views: { file: string }[] };
    expect(summary.overviews).toEqual(['overview.png']);
    expect(summary.views).toHaveLength(5);
    for (const v of summary.views) expect(existsSync(join(out, v.file))).toBe(true);
    const meta = await sharp(join(out, 'overview.png')).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBeGreaterThan(600);
  });

  it('refuses a training setting it does not use', () => {
    const r = cli('preview', join(dir, 'source.png'), '--out', join(dir, 'x'), '--depth', '4');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--depth (depth) is a setting this command does not use');
  });
});
