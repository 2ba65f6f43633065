// The hand-registered gradients (src/engine/tf/gradients.ts) and custom matMul/GELU gradients against central finite differences.
import * as tf from '../../../src/engine/tf/tfjs';
import { startBackend } from '../../../src/engine/backends/select-backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { vitConfig, vitForward, vitSpecs } from '../../../src/engine/model/vit';
import { headForward, headSpecs } from '../../../src/engine/model/dino-head';
import { initParams } from '../../../src/engine/model/init';
import { paramsFromHost } from '../../../src/engine/model/param-store';
import { dinoLoss } from '../../../src/engine/train/dino-loss';
import type { AttentionMode } from '../../../src/engine/model/attention';
import { SeededRng } from '../../../src/engine/util/seeded-rng';

describe('gradients of the full DINO loss (wasm backend, float32 finite differences)', () => {
  beforeAll(async () => {
    await startBackend('wasm');
  });

  for (const mode of ['pairs', 'batched', 'fused'] as AttentionMode[]) {
    it(`analytic gradients match central differences (${mode} attention)`, () => {
      const vit = { ...vitConfig('vit_tiny', 16, 1), attention: mode };
      const head = { inDim: 192, hiddenDim: 16, bottleneckDim: 8, outDim: 10, normLastLayer: false };
      const specs = [...vitSpecs(vit), ...headSpecs(head)];
      const host = initParams(specs, 4);
      // Larger random weights than the init so every path carries a visible signal.
      const rng = new SeededRng(8);
      for (const [k, t] of Object.entries(host)) {
        if (!k.endsWith('weight_g')) for (let i = 0; i < t.data.length; i++) t.data[i] = t.data[i]! + 0.05 * rng.normal();
      }
      const params = paramsFromHost(specs, host, true);
      const B = 2;
      const g32 = Float32Array.from({ length: 2 * B * 3 * 32 * 32 }, () => rng.normal());
      const l16 = Float32Array.from({ length: 1 * B * 3 * 16 * 16 }, () => rng.normal());
      const teacher = tf.tensor2d(Float32Array.from({ length: 2 * B * 10 }, () => rng.normal()), [2 * B, 10]);
      const center = tf.tensor2d(Float32Array.from({ length: 10 }, () => 0.1 * rng.normal()), [1, 10]);
      const lossFn = () => {
        const a = vitForward(params, vit, { data: g32, n: 2 * B, h: 32, w: 32 }).cls;
        const b = vitForward(params, vit, { data: l16, n: B, h: 16, w: 16 }).cls;
        const s = headForward(params, tf.concat([a, b], 0) as tf.Tensor2D);
        return dinoLoss(s, teacher, center, 3, 0.5, 0.7).loss;
      };
      const names = [
        'pos_embed',
        'cls_token',
        'patch_embed.proj.weight',
        'blocks.0.norm1.weight',
        'blocks.0.attn.qkv.weight',
        'blocks.0.attn.qkv.bias',
        'blocks.0.mlp.fc1.weight',
        'norm.bias',
        'head.mlp.0.weight',
        'head.last_layer.weight_g',
        'head.last_layer.weight_v',
      ];
      const vars = names.map((n) => params.get(n) as tf.Variable);
      const { grads } = tf.variableGrads(lossFn as () => tf.Scalar, vars);
      let checked = 0;
      for (const v of vars) {
        const g = grads[v.name]!.dataSync();
        // Check the coordinates with the largest gradient (a vanishing one would test nothing).
        const order = Array.from(g.keys()).sort((i, j) => Math.abs(g[j]!) - Math.abs(g[i]!)).slice(0, 2);
        for (const idx of order) {
          const base = v.dataSync().slice();
          const h = 1e-2;
          const at = (delta: number) => {
            const p = base.slice();
            p[idx] = p[idx]! + delta;
            v.assign(tf.tensor(p, v.shape));
            return tf.tidy(() => lossFn().dataSync()[0]!);
          };
          const num = (at(h) - at(-h)) / (2 * h);
          v.assign(tf.tensor(base, v.shape));
          expect(Math.abs(num - g[idx]!), `${v.name} [${idx}] analytic ${g[idx]} numeric ${num}`).toBeLessThan(2e-3 + 0.03 * Math.abs(num));
          expect(Math.abs(g[idx]!)).toBeGreaterThan(1e-4);
          checked++;
        }
      }
      expect(checked).toBe(2 * names.length);
      tf.dispose([...Object.values(grads), teacher, center, ...params.values()]);
    });
  }
});
