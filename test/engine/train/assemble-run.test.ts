// The run assembly: replicas per backend and cores (equal shares of the batch), the attention layout per backend, and the system it builds.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { assembleRun, attentionFor, MAX_REPLICAS, planLayout, replicasFor } from '../../../src/engine/train/assemble-run';
import { DinoSystem } from '../../../src/engine/train/dino-system';
import { ParallelDinoSystem } from '../../../src/engine/train/parallel-dino-system';
import type { BackendInfo } from '../../../src/shared/ipc-contract';
import { BACKENDS } from '../../../src/engine/backends/backend-registry';
import { tinyConfig } from './tiny-run';

/** A backend as select-backend reports it, without starting it. */
const info = (name: BackendInfo['name']): BackendInfo => ({ name, reason: 'test', attention: BACKENDS[name].attention, deterministic: BACKENDS[name].deterministic, memory: BACKENDS[name].memory.kind, adapter: null });

describe('run assembly', () => {
  it('shares the batch among one replica per core on wasm/cpu, in equal shares, capped; one on native backends', () => {
    expect(replicasFor({ batchSize: 16 }, 'wasm', 2)).toBe(2);
    expect(replicasFor({ batchSize: 16 }, 'cpu', 1)).toBe(1);
    expect(replicasFor({ batchSize: 16 }, 'wasm', 3)).toBe(2); // 3 does not divide 16
    expect(replicasFor({ batchSize: 15 }, 'wasm', 4)).toBe(3);
    expect(replicasFor({ batchSize: 7 }, 'wasm', 4)).toBe(1); // a prime batch stays on one thread
    expect(replicasFor({ batchSize: 64 }, 'wasm', 64)).toBe(MAX_REPLICAS);
    expect(replicasFor({ batchSize: 16 }, 'tensorflow', 16)).toBe(1);
    expect(replicasFor({ batchSize: 16 }, 'webgpu', 16)).toBe(1);
  });

  it('plans the layout (loader workers from the config, attention per backend) and overrides win', () => {
    const c = tinyConfig({ batchSize: 4, workers: 3, accumulate: 2 });
    const l = planLayout(c, info('wasm'), { cores: 2 });
    expect(l).toMatchObject({ replicas: 2, loaderWorkers: 3, attention: 'fused', batchSize: 4, accumulate: 2, cores: 2 });
    expect(planLayout(c, info('cpu'), { cores: 2, replicas: 1, attention: 'pairs' })).toMatchObject({ replicas: 1, attention: 'pairs' });
    expect(attentionFor('cpu')).toBe('fused');
    expect(attentionFor('webgpu')).toBe('batched');
    expect(attentionFor('tensorflow')).toBe('batched');
  });

  it('builds the data-parallel system when the layout has replicas, the single one otherwise, and sets the attention layout', async () => {
    const c = tinyConfig({ backend: 'wasm' });
    const par = await assembleRun(c, { backend: 'wasm', cores: 2 });
    expect(par.layout.replicas).toBe(2);
    const sys = await par.createSystem(c, 1);
    expect(sys).toBeInstanceOf(ParallelDinoSystem);
    expect((sys as ParallelDinoSystem).main.vit.attention).toBe('fused');
    await sys.dispose();
    const one = await assembleRun(c, { backend: 'wasm', replicas: 1 });
    const s1 = await one.createSystem(c, 1);
    expect(s1).toBeInstanceOf(DinoSystem);
    await s1.dispose();
    const auto = await assembleRun(c, { backend: 'wasm' });
    expect(auto.layout.replicas).toBe(replicasFor(c, 'wasm', availableParallelism()));
  }, 60_000);
});
