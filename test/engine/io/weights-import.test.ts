// Strict safetensors import (official DINO / timm names): golden ViT-Tiny/16 through the eval path matches the official outputs; bad files are named errors.
import { resolve } from 'node:path';
import { startBackend } from '../../../src/engine/backends/select-backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeShared } from '../../support/shared-suite';
import { GOLDEN_DIR, HAS_SHARED, SKIP_SHARED_REASON, loadGolden } from '../../support/shared-fixtures';
import { importState, importWeightsFile, type ImportedWeights } from '../../../src/engine/io/weights-import';
import { BackboneRunner } from '../../../src/engine/eval/backbone-runner';
import { loadEvalImage } from '../../../src/engine/eval/eval-image';
import type { NamedTensors } from '../../../src/engine/train/step-types';

interface VitCase {
  image: string;
  preprocess: string;
  cls: number[];
  last_attention_cls_to_patches: number[];
  attention_shape: [number, number];
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describeShared(`golden ViT-Tiny/16 import (${HAS_SHARED ? 'auto backend' : SKIP_SHARED_REASON})`, () => {
  let imported: ImportedWeights;
  beforeAll(async () => {
    await startBackend('auto'); // wasm here, as the app and CLI run it
    imported = await importWeightsFile(resolve(GOLDEN_DIR, 'vit_tiny16.safetensors'));
  });

  it('infers vit_tiny, patch 16, depth 12, 224 px position grid from the shapes', () => {
    expect(imported.arch).toBe('vit_tiny');
    expect(imported.vit).toEqual({ embedDim: 192, heads: 3, depth: 12, patchSize: 16, imgSize: 224 });
    expect(imported.head).toBeNull();
  });

  it('embeds the golden images (no resize, as golden.json records) within 1e-4 of the official CLS and attention', async () => {
    const cases = loadGolden<{ vit_tiny16: { cases: VitCase[] } }>().vit_tiny16.cases;
    const runner = new BackboneRunner(imported.vit, imported.backbone, imported.source);
    try {
      for (const c of cases) {
        expect(c.preprocess).toMatch(/no resize/);
        const img = await loadEvalImage(resolve(GOLDEN_DIR, c.image), { kind: 'none', patch: 16 });
        const out = await runner.embed([img], true);
        expect(maxAbsDiff(out.cls, c.cls)).toBeLessThan(1e-4);
        expect(maxAbsDiff(out.attention!, c.last_attention_cls_to_patches)).toBeLessThan(1e-4);
      }
    } finally {
      runner.dispose();
    }
  });

  it('accepts a flag that agrees and rejects one that does not, naming the file and key', () => {
    expect(importState(imported.backbone, 'x.safetensors', { arch: 'vit_tiny', patchSize: 16, depth: 12 }).arch).toBe('vit_tiny');
    expect(() => importState(imported.backbone, 'x.safetensors', { arch: 'vit_small' })).toThrow(/x\.safetensors: --arch vit_small expects embed dim 384.*has 192 \(vit_tiny\)/);
    expect(() => importState(imported.backbone, 'x.safetensors', { patchSize: 8 })).toThrow(/--patch 8 does not match the file's patch size 16/);
    expect(() => importState(imported.backbone, 'x.safetensors', { depth: 4 })).toThrow(/depth 4 was asked for but the file holds 12 blocks/);
  });

  it('names a missing key, an unexpected key and a wrong shape', () => {
    const without: NamedTensors = { ...imported.backbone };
    delete without['blocks.3.attn.qkv.bias'];
    expect(() => importState(without, 'a.safetensors')).toThrow(/a\.safetensors does not match.*missing key blocks\.3\.attn\.qkv\.bias \(expected shape \[576\]\)/);

    const extra: NamedTensors = { ...imported.backbone, 'head.weight': { shape: [1000, 192], data: new Float32Array(192000) } };
    expect(() => importState(extra, 'b.safetensors')).toThrow(/unexpected key head\.weight \[1000, 192\]/);

    const bad: NamedTensors = { ...imported.backbone, 'blocks.0.mlp.fc1.weight': { shape: [700, 192], data: new Float32Array(700 * 192) } };
    expect(() => importState(bad, 'c.safetensors')).toThrow(/key blocks\.0\.mlp\.fc1\.weight has shape \[700, 192\], expected \[768, 192\]/);

    const noPatch: NamedTensors = { ...imported.backbone };
    delete noPatch['patch_embed.proj.weight'];
    expect(() => importState(noPatch, 'd.safetensors')).toThrow(/d\.safetensors: missing key patch_embed\.proj\.weight/);

    const gap: NamedTensors = {};
    for (const [k, v] of Object.entries(imported.backbone)) if (!k.startsWith('blocks.5.')) gap[k] = v;
    expect(() => importState(gap, 'e.safetensors')).toThrow(/missing key blocks\.5\.\*/);
  });

  it('reads the MultiCropWrapper layout (backbone.* + head.*) and checks the head strictly', () => {
    const wrapped: NamedTensors = {};
    for (const [k, v] of Object.entries(imported.backbone)) wrapped['backbone.' + k] = v;
    const t = (shape: number[], fill = 0.5) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) });
    Object.assign(wrapped, {
      'head.mlp.0.weight': t([64, 192]),
      'head.mlp.0.bias': t([64]),
      'head.mlp.2.weight': t([64, 64]),
      'head.mlp.2.bias': t([64]),
      'head.mlp.4.weight': t([32, 64]),
      'head.mlp.4.bias': t([32]),
      'head.last_layer.weight_g': t([100, 1], 1),
      'head.last_layer.weight_v': t([100, 32]),
    });
    const r = importState(wrapped, 'w.safetensors');
    expect(r.headConfig).toEqual({ inDim: 192, hiddenDim: 64, bottleneckDim: 32, outDim: 100, normLastLayer: true });
    expect(Object.keys(r.backbone).sort()).toEqual(Object.keys(imported.backbone).sort());
    const badHead = { ...wrapped, 'head.mlp.2.bias': t([65]) };
    expect(() => importState(badHead, 'w.safetensors')).toThrow(/DINO head.*key head\.mlp\.2\.bias has shape \[65\], expected \[64\]/);
  });
});

describe('import of files that are not weights', () => {
  it('says the file is not safetensors', async () => {
    await expect(importWeightsFile(resolve(import.meta.dirname, 'weights-import.test.ts'))).rejects.toThrow(/is not a safetensors file/);
  });
});
