// `npm start` rebuilds when out/ is missing or any source is newer than the build (scripts/build-freshness.mjs).
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILD_OUTPUTS, buildStaleReason } from '../../scripts/build-freshness.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function touch(root: string, rel: string, seconds: number): void {
  const file = join(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, rel);
  utimesSync(file, seconds, seconds);
}

/** A repository with sources written at t=1000 s and a build written at t=2000 s. */
function builtRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'multicrop-freshness-'));
  dirs.push(root);
  touch(root, 'package.json', 1000);
  touch(root, 'src/main/index.ts', 1000);
  touch(root, 'src/renderer/src/App.vue', 1000);
  for (const f of BUILD_OUTPUTS) touch(root, f, 2000);
  return root;
}

describe('buildStaleReason', () => {
  it('is null when every output is newer than every source', () => {
    expect(buildStaleReason(builtRepo())).toBeNull();
  });

  it('names a missing output', () => {
    const root = builtRepo();
    rmSync(join(root, 'out/renderer/index.html'));
    expect(buildStaleReason(root)).toBe('out/renderer/index.html is missing');
  });

  it('names a source edited after the build, deep in src/', () => {
    const root = builtRepo();
    touch(root, 'src/renderer/src/App.vue', 3000);
    expect(buildStaleReason(root)).toBe(`${join('src', 'renderer', 'src', 'App.vue')} changed after the last build`);
  });

  it('compares against the oldest output (a partial rebuild does not hide an edit)', () => {
    const root = builtRepo();
    touch(root, 'src/main/index.ts', 2500);
    touch(root, 'out/main/index.js', 3000); // only one output rewritten since
    expect(buildStaleReason(root)).toBe(`${join('src', 'main', 'index.ts')} changed after the last build`);
  });

  it('counts a new file in resources/ and a changed package.json', () => {
    const root = builtRepo();
    touch(root, 'resources/icon.svg', 2600);
    expect(buildStaleReason(root)).toBe(`${join('resources', 'icon.svg')} changed after the last build`);
    const other = builtRepo();
    touch(other, 'package.json', 2100);
    expect(buildStaleReason(other)).toBe('package.json changed after the last build');
  });
});
