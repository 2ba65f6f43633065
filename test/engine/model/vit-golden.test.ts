// ViT-Tiny/16 forward (CLS output, last-block CLS attention) and DINO head forward against the official code's golden values.
import { resolve } from 'node:path';
import { loadGoldenImage } from '../../support/golden-image';
import * as tf from '../../../src/engine/tf/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { startBackend } from '../../../src/engine/backends/select-backend';
import { beforeAll, expect, it } from 'vitest';
import { describeShared } from '../../support/shared-suite';
import { GOLDEN_DIR, HAS_SHARED, SKIP_SHARED_REASON, loadGolden } from '../../support/shared-fixtures';
import { readSafetensors } from '../../../src/engine/io/safetensors';
import { vitConfig, vitForward, vitSpecs, type Params } from '../../../src/engine/model/vit';
import { headForward, headSpecs } from '../../../src/engine/model/dino-head';
import { paramsFromHost } from '../../../src/engine/model/param-store';
import type { AttentionMode } from '../../../src/engine/model/attention';
import type { NamedTensors } from '../../../src/engine/train/step-types';

interface VitCase {
  image: string;
  cls: number[];
  last_attention_cls_to_patches: number[];
  attention_shape: [number, number];
}
interface Golden {
  vit_tiny16: { depth: number; patch_size: number; cases: VitCase[] };
  dino_head: {
    in_dim: number;
    out_dim: number;
    hidden_dim: number;
    bottleneck_dim: number;
    state_dict: Record<string, { shape: number[]; values: number[] }>;
    input: number[];
    output: number[];
  };
}

const loadImage = loadGoldenImage;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describeShared(`golden forward passes (${HAS_SHARED ? 'cpu and wasm backends' : SKIP_SHARED_REASON})`, () => {
  const golden = HAS_SHARED ? loadGolden<Golden>() : (undefined as unknown as Golden);
  let weights: NamedTensors;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    weights = (await readSafetensors(resolve(GOLDEN_DIR, 'vit_tiny16.safetensors'))).tensors;
  });

  // cpu: the 224 px case once (it is the slow one in plain JS), the 96 px case in every layout; wasm: both in pairs and fused.
  const runs: [string, AttentionMode, number][] = [
    ['cpu', 'batched', 0],
    ['cpu', 'batched', 1],
    ['cpu', 'pairs', 1],
    ['cpu', 'fused', 1],
    ['wasm', 'pairs', 0],
    ['wasm', 'pairs', 1],
    ['wasm', 'fused', 0],
    ['wasm', 'fused', 1],
  ];
  for (const [backend, mode, idx] of runs) {
    {
      it(`ViT-Tiny/16 CLS output and last attention match case ${idx} (${backend}, ${mode} attention)`, async () => {
        if (backend === 'wasm') await startBackend('wasm');
        else await tf.setBackend('cpu');
        const g = golden.vit_tiny16;
        const c = g.cases[idx]!;
        const cfg = { ...vitConfig('vit_tiny', g.patch_size, g.depth), attention: mode };
        const specs = vitSpecs(cfg);
        const img = await loadImage(resolve(GOLDEN_DIR, c.image));
        const params: Params = paramsFromHost(specs, weights, false, 'vit_tiny16.safetensors');
        const before = tf.memory().numTensors;
        const [cls, att] = tf.tidy(() => {
          const o = vitForward(params, cfg, { data: img.data, n: 1, h: img.h, w: img.w }, { attention: true });
          return [o.cls.dataSync(), o.attention!.dataSync()];
        });
        expect(tf.memory().numTensors).toBe(before);
        for (const t of params.values()) t.dispose();
        expect(att.length).toBe(c.attention_shape[0] * c.attention_shape[1]);
        expect(maxAbsDiff(cls, c.cls)).toBeLessThan(1e-4);
        expect(maxAbsDiff(att, c.last_attention_cls_to_patches)).toBeLessThan(1e-4);
      });
    }
  }

  it('DINO head forward matches (weight-normalised last layer)', async () => {
    await tf.setBackend('cpu');
    const h = golden.dino_head;
    const host: NamedTensors = {};
    for (const [k, v] of Object.entries(h.state_dict)) host['head.' + k] = { shape: v.shape, data: Float32Array.from(v.values) };
    const specs = headSpecs({ inDim: h.in_dim, hiddenDim: h.hidden_dim, bottleneckDim: h.bottleneck_dim, outDim: h.out_dim, normLastLayer: true });
    const params = paramsFromHost(specs, host, false, 'golden dino_head');
    const n = h.input.length / h.in_dim;
    const out = tf.tidy(() => headForward(params, tf.tensor2d(h.input, [n, h.in_dim])).dataSync());
    for (const t of params.values()) t.dispose();
    expect(maxAbsDiff(out, h.output)).toBeLessThan(1e-4);
  });
});
