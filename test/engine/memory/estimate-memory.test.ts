// Tests of the memory model: parameter counts against published ViT sizes, batch search, the wasm heap limit, and that every piece of advice really fits.
import { describe, expect, it } from 'vitest';
import { RECIPE_DEFAULTS, presetConfig, type StudioConfig } from '../../../src/shared/config-schema';
import { countParameters } from '../../../src/engine/memory/parameter-count';
import { estimateMemory, largestFittingBatch, type MemoryContext } from '../../../src/engine/memory/estimate-memory';
import { formatMemoryEstimate } from '../../../src/engine/memory/format-memory-estimate';
import { memoryHandlers } from '../../../src/engine/handlers/memory-handlers';
import type { HandlerContext } from '../../../src/engine/handlers/handler-types';

/** DINO head floats from the paper's description: Linear(d,h)-Linear(h,h)-Linear(h,b) with biases, weight-normed Linear(b,K) (v and g). */
function headFloats(d: number, h: number, b: number, k: number): number {
  return d * h + h + h * h + h + h * b + b + b * k + k;
}

describe('parameter counts', () => {
  it('match the published backbone sizes (timm vit_small/base_patch16_224 without the classifier)', () => {
    const small = countParameters({ ...RECIPE_DEFAULTS, arch: 'vit_small', patchSize: 16, depth: 12 });
    expect(small.total - headFloats(384, 2048, 256, 65536)).toBe(21_665_664);
    const base = countParameters({ ...RECIPE_DEFAULTS, arch: 'vit_base', patchSize: 16, depth: 12 });
    expect(base.total - headFloats(768, 2048, 256, 65536)).toBe(85_798_656);
    // weight_g is frozen with normLastLayer: it has no optimizer state.
    expect(small.total - small.trainable).toBe(65536);
    expect(countParameters({ ...RECIPE_DEFAULTS, normLastLayer: false }).trainable).toBe(small.total);
  });
});

/** The reference config these bounds were set on (ViT-Tiny depth 4, 96/48 px x4, batch 32), independent of the preset's later tuning. */
const BASE: StudioConfig = { ...presetConfig('cpu-small'), depth: 4, globalSize: 96, localSize: 48, localCrops: 4, batchSize: 32 };
const cfg = (over: Partial<StudioConfig>): StudioConfig => ({ ...BASE, ...over });

describe('memory estimate', () => {
  it('adds up its parts and grows with every knob that costs memory', () => {
    const ctx: MemoryContext = { backend: 'cpu', systemAvailableMb: 1e6 };
    const e = estimateMemory(cfg({}), ctx);
    const parts = e.parametersMb + e.teacherMb + e.optimizerMb + e.gradientsMb + e.activationsMb + e.loaderMb + e.runtimeMb;
    expect(Math.abs(parts - e.totalMb)).toBeLessThan(0.5);
    expect(e.teacherMb).toBe(e.parametersMb);
    const total = (over: Partial<StudioConfig>) => estimateMemory(cfg(over), ctx).totalMb;
    expect(total({ batchSize: 64 })).toBeGreaterThan(total({ batchSize: 32 }));
    expect(total({ localCrops: 8 })).toBeGreaterThan(total({ localCrops: 4 }));
    expect(total({ localSize: 64 })).toBeGreaterThan(total({ localSize: 48 }));
    expect(total({ outDim: 65536 })).toBeGreaterThan(total({ outDim: 1024 }));
    expect(total({ prefetch: 16 })).toBeGreaterThan(total({ prefetch: 2 }));
    // Each local crop adds the same activation cost (one more view of N*B at the local token count).
    const a = (k: number) => estimateMemory(cfg({ localCrops: k }), ctx).activationsMb;
    expect(a(6) - a(4)).toBeCloseTo(a(4) - a(2), 0);
    // Global crops cost quadratically more in attention than in tokens: 4x the pixels is > 4x the activations.
    const g = (s: number) => estimateMemory(cfg({ globalSize: s, localCrops: 0 }), ctx).activationsMb;
    expect(g(192) / g(96)).toBeGreaterThan(4);
  });

  it('finds the largest batch at the boundary: it fits, one more does not', () => {
    const ctx: MemoryContext = { backend: 'cpu', systemAvailableMb: 3000 };
    const c = cfg({ batchSize: 512 });
    const e = estimateMemory(c, ctx);
    expect(e.fits).toBe(false);
    expect(e.largestBatch).toBe(largestFittingBatch(c, ctx));
    expect(e.largestBatch).toBeGreaterThan(1);
    expect(estimateMemory({ ...c, batchSize: e.largestBatch }, ctx).fits).toBe(true);
    expect(estimateMemory({ ...c, batchSize: e.largestBatch + 1 }, ctx).fits).toBe(false);
  });

  it('respects the wasm backend 4 GB heap even with plenty of system memory', () => {
    const c = cfg({ batchSize: 256 });
    const onCpu = estimateMemory(c, { backend: 'cpu', systemAvailableMb: 20000 });
    const onWasm = estimateMemory(c, { backend: 'wasm', systemAvailableMb: 20000 });
    expect(onCpu.totalMb).toBeGreaterThan(4096);
    expect(onCpu.fits).toBe(true);
    expect(onWasm.fits).toBe(false);
    expect(onWasm.availableMb).toBeLessThan(20000);
    expect(onWasm.advice).toMatch(/wasm backend's heap is limited to 4 GB/);
  });

  it('gives advice whose every option fits, and keeps the effective batch with --accumulate', () => {
    const c = cfg({ batchSize: 64, localCrops: 8, localSize: 64, outDim: 65536 });
    const need = (over: Partial<StudioConfig>) => estimateMemory({ ...c, ...over }, { backend: 'cpu', systemAvailableMb: 1e6 }).totalMb;
    // Just enough memory for each single change below to fit, but not the configuration itself.
    const ctx: MemoryContext = { backend: 'cpu', systemAvailableMb: Math.max(need({ localCrops: 4 }), need({ localSize: 32 }), need({ outDim: 4096 })) + 1 };
    expect(ctx.systemAvailableMb).toBeLessThan(need({}));
    const e = estimateMemory(c, ctx);
    expect(e.fits).toBe(false);
    expect(e.advice).toMatch(/needs about .* at batch 64 but .* is available on the cpu backend/);
    const advice = e.advice!;
    const acc = /--batch-size (\d+) --accumulate (\d+)/.exec(advice);
    expect(acc).not.toBeNull();
    const [bs, n] = [Number(acc![1]), Number(acc![2])];
    expect(bs * n).toBe(64);
    expect(estimateMemory({ ...c, batchSize: bs, accumulate: n }, ctx).fits).toBe(true);
    const options: [RegExp, keyof StudioConfig][] = [
      [/--local-crops (\d+)/, 'localCrops'],
      [/--local-size (\d+)/, 'localSize'],
      [/--out-dim (\d+)/, 'outDim'],
    ];
    let seen = 0;
    for (const [re, key] of options) {
      const m = re.exec(advice);
      if (!m) continue;
      seen++;
      expect(estimateMemory({ ...c, [key]: Number(m[1]) }, ctx).fits, `${key} ${m[1]}`).toBe(true);
      expect(estimateMemory({ ...c, [key]: Number(m[1]) + (key === 'localSize' ? c.patchSize : key === 'outDim' ? Number(m[1]) : 1) }, ctx).fits).toBe(false);
    }
    expect(seen).toBe(3);
  });

  it('says so when not even one image fits', () => {
    const e = estimateMemory(presetConfig('dino-paper'), { backend: 'cpu', systemAvailableMb: 300 });
    expect(e.fits).toBe(false);
    expect(e.largestBatch).toBe(0);
    expect(e.advice).toMatch(/needs about/);
  });

  it('is served by the memory:estimate handler and printed by formatMemoryEstimate', async () => {
    const handler = memoryHandlers['memory:estimate']!;
    const e = await handler({ config: { ...presetConfig('cpu-small'), backend: 'cpu' } }, {} as HandlerContext);
    expect(e.backend).toBe('cpu');
    expect(e.availableMb).toBeGreaterThan(0);
    expect(e.totalMb).toBeGreaterThan(e.runtimeMb);
    const text = formatMemoryEstimate(e);
    expect(text).toContain('Memory estimate (cpu backend)');
    expect(text).toMatch(/total\s+\d/);
    const auto = await handler({ config: presetConfig('cpu-small') }, {} as HandlerContext);
    expect(['wasm', 'tensorflow']).toContain(auto.backend);
    const bad = formatMemoryEstimate(estimateMemory(presetConfig('dino-paper'), { backend: 'cpu', systemAvailableMb: 8000 }));
    expect(bad).toContain('DOES NOT FIT');
  });
});
