// k-NN during training: the baseline on the first row, then every knnEvery steps and on the last one, each equal to the offline k-NN of that step's checkpoint; attention share from masks beside the val folder; held-out split.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageEntry } from '../../../src/shared/ipc-contract';
import { attentionShare } from '../../../src/engine/eval/attention-share';
import { attentionOnObjectAtStep0, computeAttention } from '../../../src/engine/eval/attention-maps';
import { BackboneRunner } from '../../../src/engine/eval/backbone-runner';
import { evalPreprocess, modelFromRun } from '../../../src/engine/eval/eval-model';
import { evaluateKnn } from '../../../src/engine/eval/knn-eval';
import { maskPathFor, patchCoverage } from '../../../src/engine/eval/object-masks';
import { createOnlineEval, resolveOnlineSplit } from '../../../src/engine/eval/online-eval';
import { readMetrics } from '../../../src/engine/train/metrics-log';
import { runTraining } from '../../../src/engine/train/train-loop';
import { realDeps, tinyConfig, useBackend, writeTinyDataset } from '../train/tiny-run';

const root = mkdtempSync(join(tmpdir(), 'mc-online-eval-'));
let train: ImageEntry[] = [];
let val: ImageEntry[] = [];
beforeAll(async () => {
  await useBackend('wasm');
  train = await writeTinyDataset(join(root, 'data', 'train'), 12, 1);
  val = await writeTinyDataset(join(root, 'data', 'val'), 6, 2);
  // Masks for the val images at <val>-masks/<class>/<name>.png: the left half of each image is "object".
  for (const v of val) {
    const mask = Buffer.alloc(v.width * v.height);
    for (let y = 0; y < v.height; y++) mask.fill(255, y * v.width, y * v.width + Math.floor(v.width / 2));
    const out = join(root, 'data', 'val-masks', relative(join(root, 'data', 'val'), v.path)).replace(/\.[^.]+$/, '.png');
    mkdirSync(dirname(out), { recursive: true });
    await sharp(mask, { raw: { width: v.width, height: v.height, channels: 1 } }).png().toFile(out);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('attention share', () => {
  it('renormalises each head over the patches and weights it by the object coverage', () => {
    // 2 images x 2 heads x 4 patches; image 0 covers patch 0 fully and patch 1 half, image 1 covers patch 3.
    const att = Float32Array.from([0.4, 0.2, 0.1, 0.1, /* */ 0.2, 0.2, 0.2, 0.2, /* image 1 */ 0.1, 0.1, 0.1, 0.5, /* */ 0, 0, 0, 0.9]);
    const cov = [Float32Array.from([1, 0.5, 0, 0]), Float32Array.from([0, 0, 0, 1])];
    const r = attentionShare(att, 2, 4, cov);
    // head 0: (0.4 + 0.1) / 0.8 = 0.625 and 0.5 / 0.8 = 0.625; head 1: 0.3 / 0.8 = 0.375 and 1
    expect(r.perHead[0]).toBeCloseTo(0.625, 6);
    expect(r.perHead[1]).toBeCloseTo((0.375 + 1) / 2, 6);
    expect(r.mean).toBeCloseTo((0.625 + 0.6875) / 2, 6);
    expect(r.objectShare).toBeCloseTo((1.5 / 4 + 1 / 4) / 2, 6);
  });
});

describe('k-NN during training', () => {
  it('finds the val folder beside train/, and the masks beside it', async () => {
    const split = await resolveOnlineSplit(join(root, 'data', 'train'), train, tinyConfig());
    expect('none' in split).toBe(false);
    if ('none' in split) return;
    expect(split.kind).toBe('val-folder');
    expect(split.bank).toHaveLength(12);
    expect(split.queries).toHaveLength(6);
    expect(maskPathFor(val[0]!.path)).toMatch(/val-masks/);
    expect(maskPathFor(train[0]!.path)).toBeNull();
    // The left half of a centre crop is half the patches' area.
    const cov = await patchCoverage(maskPathFor(val[0]!.path)!, { kind: 'center-crop', resize: 37, crop: 32 }, 16);
    expect(cov).toHaveLength(4);
    expect(cov.reduce((s, v) => s + v, 0) / 4).toBeCloseTo(0.5, 1);
  });

  it('holds out a share of a labelled folder without val/, or says why there is no k-NN', async () => {
    const flat = join(root, 'data', 'train');
    const renamed = train.map((e) => ({ ...e }));
    const held = await resolveOnlineSplit(join(root, 'elsewhere'), renamed, tinyConfig({ knnHoldOut: 0.25 }));
    expect('none' in held).toBe(false);
    if (!('none' in held)) {
      expect(held.kind).toBe('held-out');
      expect(held.queries.length + held.bank.length).toBe(12);
      expect(held.queries).toHaveLength(4); // round(6 * 0.25) per class, 2 classes
    }
    expect(await resolveOnlineSplit(join(root, 'elsewhere'), renamed, tinyConfig({ knnHoldOut: 0 }))).toEqual({ none: expect.stringMatching(/knnHoldOut is 0/) });
    expect(await resolveOnlineSplit(flat, train, tinyConfig({ knnEvery: 0 }))).toEqual({ none: expect.stringMatching(/off/) });
    const unlabelled = train.map((e) => ({ ...e, label: null }));
    expect(await resolveOnlineSplit(flat, unlabelled, tinyConfig())).toEqual({ none: expect.stringMatching(/no labels/) });
  });

  it('puts the step-0 baseline on the first row, then one every knnEvery steps and the last, each equal to the offline k-NN of that checkpoint', async () => {
    const runDir = join(root, 'run');
    const config = tinyConfig({ backend: 'wasm', knnEvery: 3, checkpointEvery: 3, epochs: 3 });
    const logs: string[] = [];
    await runTraining(
      {
        runDir,
        dataset: join(root, 'data', 'train'),
        images: train,
        pathOf: (e) => e.path,
        config,
        maxSteps: 7,
        keepCheckpoints: 10,
        onlineEvalMaxShare: 1, // never widened: the schedule below is exact
        onlineEval: (c) => createOnlineEval(join(root, 'data', 'train'), train, c, (_l, m) => logs.push(m)),
      },
      await realDeps('wasm'),
    );
    expect(logs.join('\n')).toMatch(/k-NN during training every 3 steps: 6 queries .* against 12 training images; attention share on the objects from the masks in .*val-masks/);
    const rows = await readMetrics(join(runDir, 'metrics.jsonl'));
    expect(rows).toHaveLength(7);
    const evals = rows.filter((r) => r.knnTop1 !== undefined);
    expect(evals.map((r) => [r.step, r.knnStep])).toEqual([
      [1, 0],
      [3, 3],
      [6, 6],
      [7, 7],
    ]);
    for (const r of evals) {
      expect(r.knnSeconds).toBeGreaterThan(0);
      expect(r.attnObjectShare).toBeGreaterThan(0);
      expect(r.attnObjectShare).toBeLessThan(1);
      expect(r.attnObjectShareHeads).toHaveLength(3);
      expect(r.attnObjectBaseline).toBeCloseTo(0.5, 1);
    }
    // The offline k-NN (files decoded again, the CLI's path) of the checkpoints at steps 0, 3 and 6 gives the same top-1.
    const labelled = (xs: ImageEntry[]) => xs.map((x) => ({ path: x.path, label: x.label! }));
    for (const [step, name] of [
      [0, 'step-00000000'],
      [3, 'step-00000003'],
      [6, 'step-00000006'],
    ] as const) {
      const model = await modelFromRun(runDir, name);
      const offline = await evaluateKnn(model, labelled(train), labelled(val), { k: 20, preprocess: evalPreprocess(model) });
      expect(evals.find((r) => r.knnStep === step)!.knnTop1, `step ${step}`).toBeCloseTo(offline.top1, 10);
    }
  }, 120_000);

  it('reports the attention on one image\'s object (attention --json, the Evaluation screen) now and at step 0', async () => {
    const runDir = join(root, 'run');
    const model = await modelFromRun(runDir, 'step-00000006');
    const pre = { kind: 'short-side', size: 64, patch: 16 } as const;
    const runner = new BackboneRunner(model.vit, model.backbone, model.label);
    let now;
    try {
      now = await computeAttention(runner, val[0]!.path, pre, 0.6);
    } finally {
      runner.dispose();
    }
    const on = now.result.onObject!;
    expect(on.mask).toMatch(/val-masks/);
    expect(on.perHead).toHaveLength(3);
    expect(on.objectShare).toBeCloseTo(0.5, 1);
    // The mean is the coverage-weighted attention of the maps the result itself holds.
    const cov = await patchCoverage(on.mask, pre, 16);
    const byHand = now.result.maps.map((m) => m.reduce((s, v, p) => s + v * cov[p]!, 0) / m.reduce((s, v) => s + v, 0));
    expect(on.mean).toBeCloseTo(byHand.reduce((s, v) => s + v, 0) / byHand.length, 6);
    const at0 = await attentionOnObjectAtStep0(model, val[0]!.path, pre);
    const m0 = await modelFromRun(runDir, 'step-00000000');
    const r0 = new BackboneRunner(m0.vit, m0.backbone, m0.label);
    try {
      expect(at0!.mean).toBeCloseTo((await computeAttention(r0, val[0]!.path, pre, 0.6)).result.onObject!.mean, 6);
    } finally {
      r0.dispose();
    }
    expect(await attentionOnObjectAtStep0(m0, val[0]!.path, pre)).toBeNull(); // step 0 itself: nothing to compare
    expect(await attentionOnObjectAtStep0(model, train[0]!.path, pre)).toBeNull(); // no mask
  }, 60_000);

  it('widens the interval when an evaluation would cost more than its share of the time, and still measures the last step', async () => {
    const runDir = join(root, 'run-wide');
    const logs: string[] = [];
    await runTraining(
      {
        runDir,
        dataset: join(root, 'data', 'train'),
        images: train,
        pathOf: (e) => e.path,
        config: tinyConfig({ backend: 'wasm', knnEvery: 2, epochs: 3 }),
        maxSteps: 7,
        onlineEvalMaxShare: 1e-9, // any evaluation costs more than this share of a step
        onlineEval: (c) => createOnlineEval(join(root, 'data', 'train'), train, c, () => undefined),
        events: { log: (_l, m) => logs.push(m) },
      },
      await realDeps('wasm'),
    );
    const rows = await readMetrics(join(runDir, 'metrics.jsonl'));
    expect(rows.filter((r) => r.knnTop1 !== undefined).map((r) => r.knnStep)).toEqual([0, 2, 7]);
    expect(logs.join('\n')).toMatch(/evaluating every \d+ steps \(knnEvery 2\) to stay under 1e-7 % of the time/);
  }, 120_000);
});
