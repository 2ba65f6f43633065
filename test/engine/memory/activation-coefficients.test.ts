// The memory model's activation coefficients against tfjs's own accounting of the real model code (tf.profile peak bytes of forward + backward).
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { headForward, headSpecs } from '../../../src/engine/model/dino-head';
import { initParams } from '../../../src/engine/model/init';
import { paramsFromHost } from '../../../src/engine/model/param-store';
import { vitConfig, vitForward, vitSpecs } from '../../../src/engine/model/vit';
import { dinoLoss } from '../../../src/engine/train/dino-loss';
import type { AttentionMode } from '../../../src/engine/model/attention';
import { STUDENT_BLOCK, STUDENT_HEAD_LOSS, studentHeadLossFloats } from '../../../src/engine/memory/activation-model';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** Peak floats above the parameters while differentiating sum(CLS) of a ViT-Tiny/16 of `depth` blocks on n images of size x size. */
async function backbonePeak(depth: number, size: number, n: number, attention: AttentionMode): Promise<number> {
  const c = { ...vitConfig('vit_tiny', 16, depth), attention };
  const specs = vitSpecs(c);
  const p = paramsFromHost(specs, initParams(specs, 0), true, 'test');
  const vars = specs.map((s) => p.get(s.name) as tf.Variable);
  const data = new Float32Array(n * 3 * size * size).map((_, i) => Math.sin(i));
  const before = tf.memory().numBytes;
  const prof = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => tf.sum(vitForward(p, c, { data, n, h: size, w: size }).cls) as tf.Scalar, vars);
    tf.dispose([value, ...Object.values(grads)]);
  });
  tf.dispose(vars);
  return (prof.peakBytes - before) / 4;
}

describe('activation coefficients match the model code', () => {
  /** One more block costs P*params + TOK*n*T*D + ATT*n*H*T^2; three grid sizes separate the three terms. */
  async function blockTerms(attention: AttentionMode): Promise<{ params: number; tok: number; att: number }> {
    const n = 4;
    const d = 192;
    const heads = 3;
    const rows: number[][] = [];
    const rhs: number[] = [];
    for (const size of [32, 64, 96]) {
      const t = (size / 16) ** 2 + 1;
      rows.push([1, n * t * d, n * heads * t * t]);
      rhs.push((await backbonePeak(2, size, n, attention)) - (await backbonePeak(1, size, n, attention)));
    }
    const [k, tok, att] = solve3(rows, rhs);
    const blockParams = 12 * d * d + 13 * d;
    console.log(`measured per block (${attention}): ${(k / blockParams).toFixed(2)} x params + ${tok.toFixed(1)} x nTD + ${att.toFixed(2)} x nHT^2`);
    return { params: k / blockParams, tok, att };
  }

  it('per transformer block: params, per token x D and per head x T^2 terms (batched layout, the GPU backends)', async () => {
    const m = await blockTerms('batched');
    expect(m.params).toBeCloseTo(STUDENT_BLOCK.params, 0);
    expect(Math.abs(m.tok / STUDENT_BLOCK.tok - 1)).toBeLessThan(0.1);
    expect(Math.abs(m.att - STUDENT_BLOCK.att)).toBeLessThan(1.5);
  });

  it('the fused layout of wasm and cpu holds no more than the model says (the estimate is an upper bound there)', async () => {
    const m = await blockTerms('fused');
    expect(m.params).toBeCloseTo(STUDENT_BLOCK.params, 0);
    expect(m.tok).toBeLessThanOrEqual(STUDENT_BLOCK.tok);
    expect(m.att).toBeLessThanOrEqual(STUDENT_BLOCK.att);
    // It does hold the softmax it saves for the backward: [n*heads, T, T] once.
    expect(m.att).toBeGreaterThan(0.5);
  });

  it('head and loss: peak within 10% of the model for several shapes', async () => {
    for (const [rows, hidden, bott, k, views] of [
      [24, 128, 32, 1024, 4],
      [48, 128, 32, 2048, 4],
      [48, 256, 64, 2048, 6],
    ] as const) {
      const hc = { inDim: 192, hiddenDim: hidden, bottleneckDim: bott, outDim: k, normLastLayer: true };
      const specs = headSpecs(hc);
      const p = paramsFromHost(specs, initParams(specs, 0), true, 'test');
      const vars = specs.filter((s) => s.trainable).map((s) => p.get(s.name) as tf.Variable);
      const b = rows / views;
      const x = tf.randomNormal([rows, 192], 0, 1, 'float32', 1) as tf.Tensor2D;
      const teacher = tf.randomNormal([2 * b, k], 0, 1, 'float32', 2) as tf.Tensor2D;
      const center = tf.zeros([1, k]);
      const before = tf.memory().numBytes;
      const prof = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => dinoLoss(headForward(p, x), teacher, center, views, 0.1, 0.04).loss, vars);
        tf.dispose([value, ...Object.values(grads)]);
      });
      tf.dispose([x, teacher, center, ...p.values()]);
      const measured = (prof.peakBytes - before) / 4;
      const mlpParams = 192 * hidden + hidden + hidden * hidden + hidden + hidden * bott + bott;
      const model = studentHeadLossFloats(views, b, { hidden, bottleneck: bott, outDim: k, mlpParams });
      console.log(`head+loss rows ${rows} K ${k}: model ${model} floats, measured ${measured} (coefficients ${JSON.stringify(STUDENT_HEAD_LOSS)})`);
      expect(Math.abs(model / measured - 1)).toBeLessThan(0.1);
    }
  });
});

/** Solve a 3x3 linear system (Cramer's rule). */
function solve3(a: number[][], y: number[]): [number, number, number] {
  const det = (m: number[][]) =>
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) -
    m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) +
    m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  const d = det(a);
  const col = (j: number) => a.map((r, i) => r.map((v, k) => (k === j ? y[i]! : v)));
  return [det(col(0)) / d, det(col(1)) / d, det(col(2)) / d];
}
