// The eval channels end to end on a run folder and generated ImageFolders whose k-NN answer is known by construction.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioFailure } from '../../../src/engine/studio-failure';
import { evalHandlers } from '../../../src/engine/handlers/eval-handlers';
import { startBackend } from '../../../src/engine/backends/select-backend';
import { makeRun, smallConfig } from '../io/make-run';
import { colourFolder } from '../../support/colour-folders';
import { handlerContext } from '../../support/handler-context';

const root = mkdtempSync(join(tmpdir(), 'mc-evalh-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `opened`: the folders the person opened (default: the train folders, as the Evaluation screen opens them). */
const context = (opened: string[] = [join(root, 'train'), join(root, 'val-swapped')]) => handlerContext({ dataDir: root, opened });

describe('eval handlers', () => {
  let runId: string;
  beforeAll(async () => {
    await startBackend('auto');
    const { runDir } = await makeRun(join(root, 'runs'), smallConfig({ globalSize: 32 }), [0]);
    runId = runDir.split(sep).pop()!;
    await colourFolder(join(root, 'train'), 6, 1);
    await colourFolder(join(root, 'val'), 3, 2);
    await colourFolder(join(root, 'val-swapped'), 3, 3, { red: 'blue', blue: 'green', green: 'red' });
  });

  it('eval:knn separates colours at step 0 (top-1 = 1), reports per class, emits progress', async () => {
    const ctx = context([join(root, 'train'), join(root, 'val')]);
    const r = await evalHandlers['eval:knn']!({ source: { runId }, train: join(root, 'train'), val: join(root, 'val'), k: 20 }, ctx);
    expect(r).toMatchObject({ top1: 1, top5: null, k: 18, train: 18, val: 9, checkpoint: 'step-00000000' });
    expect(r.perClass).toEqual([
      { name: 'blue', count: 3, top1: 1 },
      { name: 'green', count: 3, top1: 1 },
      { name: 'red', count: 3, top1: 1 },
    ]);
    const last = ctx.events.filter((e) => e.label === 'k-NN: extracting val features').pop()!;
    expect([last.done, last.total]).toEqual([9, 9]);
    // Evaluating opens nothing: the opened folders are what the person opened.
    expect(ctx.roots).toEqual([resolve(root, 'train'), resolve(root, 'val')]);
  });

  it('eval:knn with every val folder named after another colour gives top-1 = 0', async () => {
    const r = await evalHandlers['eval:knn']!({ source: { runId }, train: join(root, 'train'), val: join(root, 'val-swapped'), k: 5 }, context());
    expect(r.top1).toBe(0);
  });

  it('eval:neighbours returns same-colour train images first, most similar first', async () => {
    const ctx = context();
    ctx.allowRoot(join(root, 'val'));
    const r = await evalHandlers['eval:neighbours']!({ source: { runId }, train: join(root, 'train'), image: join(root, 'val', 'green', '0.png'), k: 6 }, ctx);
    expect(r.neighbours).toHaveLength(6);
    expect(r.neighbours.every((n) => n.label === 'green')).toBe(true);
    const sims = r.neighbours.map((n) => n.similarity);
    expect([...sims].sort((a, b) => b - a)).toEqual(sims);
  });

  it('eval:attention refuses an image outside the opened folders, then draws every head', async () => {
    const ctx = context();
    const image = join(root, 'val', 'red', '1.png');
    await expect(evalHandlers['eval:attention']!({ source: { runId }, image, threshold: 0.6 }, ctx)).rejects.toThrow(/is not in a folder you opened/);
    ctx.allowRoot(join(root, 'val'));
    const r = await evalHandlers['eval:attention']!({ source: { runId }, image, threshold: 0.6 }, ctx);
    expect(r.heads).toBe(3);
    expect(r.maps).toHaveLength(3);
    expect(r.maps[0]).toHaveLength(r.gridW * r.gridH);
    expect(r.overlays).toHaveLength(3);
    expect(r.thresholded).toHaveLength(3);
  });

  it('a missing run and a missing folder are named failures', async () => {
    const e1 = await evalHandlers['eval:knn']!({ source: { runId: 'nope' }, train: join(root, 'train'), val: join(root, 'val'), k: 20 }, context([root])).catch((e) => e);
    expect(e1).toBeInstanceOf(StudioFailure);
    expect((e1 as StudioFailure).code).toBe('not_found');
    expect((e1 as Error).message).toMatch(/nope is not a run folder/);
    await expect(evalHandlers['eval:knn']!({ source: { runId }, train: join(root, 'absent'), val: join(root, 'val'), k: 20 }, context([root]))).rejects.toThrow(
      /train folder .*absent does not exist/,
    );
  });

  it('export:run writes the teacher as safetensors into the run folder', async () => {
    const r = await evalHandlers['export:run']!({ runId, format: 'safetensors' }, context());
    expect(r).toMatchObject({ out: join(root, 'runs', runId, 'exports', 'teacher-step-00000000.safetensors'), format: 'safetensors', network: 'teacher' });
    expect(r.bytes).toBeGreaterThan(1000);
  });
});
