// Paths from a page reach only the folders the person opened (folders:open, listed and removable) and the runs folder: scanning, training or evaluating never opens a folder by itself.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, type EngineDispatcher } from '../../../src/engine/engine-dispatcher';
import { RECIPE_DEFAULTS } from '../../../src/shared/config-schema';
import type { Envelope, OpenedFolders } from '../../../src/shared/ipc-contract';
import { makeFuzzSandbox, type FuzzSandbox } from '../../support/fuzz-sandbox';
import { TINY_AUGMENT } from '../../support/fuzz-requests';

let s: FuzzSandbox;
let d: EngineDispatcher;
const rootsFile = () => readFileSync(join(s.dataDir, 'allowed-roots.json'), 'utf8');

beforeAll(async () => {
  s = await makeFuzzSandbox('opened-folders-');
  d = createDispatcher({ dataDir: s.dataDir, emit: () => undefined });
});
afterAll(() => s?.dispose());

function folders(e: Envelope<unknown>): string[] {
  expect(e, JSON.stringify(e).slice(0, 300)).toMatchObject({ ok: true });
  return (e as { ok: true; value: OpenedFolders }).value.folders;
}

describe('opening a folder is its own request', () => {
  it('dataset:scan of a folder never opened is refused and opens nothing', async () => {
    const before = rootsFile();
    const r = await d.dispatch('dataset:scan', { path: s.outsideDir });
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((r as { error: { message: string } }).error.message).toMatch(/not in a folder you opened.*Open/);
    expect(rootsFile()).toBe(before);
    expect((await d.image(s.outsideImage)).ok).toBe(false);
  });

  it('train:start on a folder never opened is refused and opens nothing', async () => {
    const before = rootsFile();
    expect(await d.dispatch('train:start', { dataset: s.outsideDir, config: RECIPE_DEFAULTS })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(rootsFile()).toBe(before);
  });

  it('folders:open opens it (listed, persisted), then scan and previews work; folders:remove closes it again', async () => {
    const list = folders(await d.dispatch('folders:open', { path: s.datasetDir }));
    expect(list).toEqual([s.datasetDir]);
    expect(folders(await d.dispatch('folders:list', {}))).toEqual([s.datasetDir]);
    expect(JSON.parse(rootsFile()).roots).toContain(s.datasetDir);
    expect(await d.dispatch('dataset:scan', { path: s.datasetDir })).toMatchObject({ ok: true });
    expect(await d.dispatch('dataset:scan', { path: join(s.datasetDir, 'cats') })).toMatchObject({ ok: true });
    expect(await d.dispatch('augment:preview', { image: s.datasetImage, config: TINY_AUGMENT, seed: 1 })).toMatchObject({ ok: true });
    expect(folders(await d.dispatch('folders:remove', { path: s.datasetDir }))).toEqual([]);
    expect(JSON.parse(rootsFile()).roots).not.toContain(s.datasetDir);
    expect(JSON.parse(rootsFile()).recent).not.toContain(s.datasetDir);
    expect(await d.dispatch('augment:preview', { image: s.datasetImage, config: TINY_AUGMENT, seed: 1 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await d.dispatch('dataset:scan', { path: s.datasetDir })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // A fresh engine reads what was saved.
    const again = createDispatcher({ dataDir: s.dataDir, emit: () => undefined });
    expect(folders(await again.dispatch('folders:list', {}))).toEqual([]);
  });

  it('folders:open refuses a missing folder, a file, the file-system root, and relative paths', async () => {
    expect(await d.dispatch('folders:open', { path: s.missingOutside })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await d.dispatch('folders:open', { path: s.outsideImage })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await d.dispatch('folders:open', { path: '/' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await d.dispatch('folders:open', { path: 'outside' })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(folders(await d.dispatch('folders:list', {}))).toEqual([]);
  });

  it('the runs folder is always readable but is not listed or removable', async () => {
    const list = (await d.dispatch('folders:list', {})) as { ok: true; value: OpenedFolders };
    expect(list.value.runsDir).toBe(d.ctx.runsDir);
    expect(await d.dispatch('folders:remove', { path: d.ctx.runsDir })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });
});

describe('evaluation paths', () => {
  it('eval:knn / eval:attention / eval:neighbours refuse weights outside the opened folders without reading them', async () => {
    await d.dispatch('folders:open', { path: s.datasetDir });
    const before = rootsFile();
    for (const [ch, req] of [
      ['eval:knn', { source: { weights: s.outsideWeights }, train: s.datasetDir, val: s.datasetDir, k: 1 }],
      ['eval:attention', { source: { weights: s.outsideWeights }, image: s.datasetImage, threshold: 0.5 }],
      ['eval:neighbours', { source: { weights: s.outsideWeights }, train: s.datasetDir, image: s.datasetImage, k: 1 }],
      ['eval:knn', { source: { weights: '/etc/passwd' }, train: s.datasetDir, val: s.datasetDir, k: 1 }],
    ] as const) {
      const r = await d.dispatch(ch, req);
      expect(r, `${ch} ${JSON.stringify(req.source)}`).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(rootsFile()).toBe(before);
  });

  it('eval:knn and eval:neighbours refuse train/val folders outside the opened folders and open nothing', async () => {
    const before = rootsFile();
    expect(await d.dispatch('eval:knn', { source: { runId: 'no-such-run' }, train: s.outsideDir, val: s.datasetDir, k: 1 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await d.dispatch('eval:knn', { source: { runId: 'no-such-run' }, train: s.datasetDir, val: s.outsideDir, k: 1 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await d.dispatch('eval:neighbours', { source: { runId: 'no-such-run' }, train: s.outsideDir, image: s.datasetImage, k: 1 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(rootsFile()).toBe(before);
  });

  it('weights inside an opened folder or the runs folder are read (a broken file is bad_input, not forbidden)', async () => {
    const inRuns = join(d.ctx.runsDir, 'broken.safetensors');
    copyFileSync(s.outsideWeights, inRuns);
    const inData = join(s.datasetDir, 'broken.safetensors');
    writeFileSync(inData, readFileSync(s.outsideWeights));
    for (const w of [inRuns, inData]) {
      const r = await d.dispatch('eval:attention', { source: { weights: w }, image: s.datasetImage, threshold: 0.5 });
      expect(r, w).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    }
  });
});
