// PyTorch interop: an exported run loads with load_state_dict(strict=True) into a ViT laid out like DINO's vision_transformer.py, and its forward matches ours.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { startBackend } from '../../../src/engine/backends/select-backend';
import { describeTorch, PYTHON } from '../../support/torch-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exportRun } from '../../../src/engine/io/run-export';
import { importWeightsFile } from '../../../src/engine/io/weights-import';
import { BackboneRunner } from '../../../src/engine/eval/backbone-runner';
import { headForward, headSpecs } from '../../../src/engine/model/dino-head';
import { paramsFromHost, disposeParams } from '../../../src/engine/model/param-store';
import { SeededRng } from '../../../src/engine/util/seeded-rng';
import { makeRun, smallConfig } from './make-run';


const SCRIPT = join(import.meta.dirname, 'torch_load_check.py');

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describeTorch(`PyTorch strict load of exported weights (torch found)`, () => {
  const root = mkdtempSync(join(tmpdir(), 'mc-torch-'));
  let runDir: string;
  beforeAll(async () => {
    await startBackend('auto');
    runDir = (await makeRun(root, smallConfig({ depth: 2, outDim: 40 }), [0])).runDir;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // Each case starts a Python process (importing torch takes seconds), so two cases cover both layouts and both grids.
  const cases = [
    { name: '224 px (native position grid)', n: 1, size: 224, includeHead: false },
    { name: '64 px x2 (bicubic position-embedding interpolation)', n: 2, size: 64, includeHead: true },
  ];

  for (const c of cases) {
    const includeHead = c.includeHead;
    {
      it(`${includeHead ? 'backbone + head (MultiCropWrapper)' : 'backbone (vision_transformer)'} at ${c.name}`, async () => {
        const out = join(root, `export-${includeHead}.safetensors`);
        await exportRun(runDir, { format: 'safetensors', out, includeHead });
        const rng = new SeededRng(5, c.size);
        const per = 3 * c.size * c.size;
        const data = Float32Array.from({ length: c.n * per }, () => rng.normal());
        const inputFile = join(root, `input-${c.size}.f32`);
        writeFileSync(inputFile, Buffer.from(data.buffer));
        const py = JSON.parse(
          execFileSync(PYTHON, [SCRIPT, out, inputFile, String(c.n), String(c.size), String(c.size)], { encoding: 'utf8', maxBuffer: 64 << 20 }),
        ) as { cls: number[]; attention: number[]; missing: string[]; unexpected: string[]; logits?: number[] };
        expect(py.missing).toEqual([]);
        expect(py.unexpected).toEqual([]);

        const imported = await importWeightsFile(out);
        const runner = new BackboneRunner(imported.vit, imported.backbone, out);
        try {
          const images = Array.from({ length: c.n }, (_, i) => ({ path: `input ${i}`, data: data.subarray(i * per, (i + 1) * per), h: c.size, w: c.size, rgb: new Uint8Array(0) }));
          const ours = await runner.embed(images, true);
          expect(maxAbsDiff(ours.cls, py.cls)).toBeLessThan(1e-4);
          expect(maxAbsDiff(ours.attention!, py.attention)).toBeLessThan(1e-4);
          if (includeHead) {
            const specs = headSpecs(imported.headConfig!);
            const hp = paramsFromHost(specs, imported.head!, false, out);
            const logits = tf.tidy(() => headForward(hp, tf.tensor2d(ours.cls, [c.n, imported.vit.embedDim])).dataSync());
            disposeParams(hp);
            expect(maxAbsDiff(logits, py.logits!)).toBeLessThan(1e-4);
          }
        } finally {
          runner.dispose();
        }
      });
    }
  }

  it('a key renamed in the file makes the strict PyTorch load fail (the check can fail)', async () => {
    const out = join(root, 'export-renamed-key.safetensors');
    await exportRun(runDir, { format: 'safetensors', out });
    const { readSafetensors, writeSafetensors } = await import('../../../src/engine/io/safetensors');
    const t = (await readSafetensors(out)).tensors;
    t['blocks.0.attn.qkv_renamed.weight'] = t['blocks.0.attn.qkv.weight']!;
    delete t['blocks.0.attn.qkv.weight'];
    const bad = join(root, 'bad.safetensors');
    await writeSafetensors(bad, t);
    const inputFile = join(root, 'input-zeros-32.f32');
    writeFileSync(inputFile, Buffer.alloc(3 * 32 * 32 * 4));
    const r = spawnSync(PYTHON, [SCRIPT, bad, inputFile, '1', '32', '32'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Missing key\(s\) in state_dict: "blocks\.0\.attn\.qkv\.weight"/);
  });
});
