// WebGPU through tfjs-backend-webgpu on Dawn (the optional `webgpu` package): the engine's GPU backend under Node.
import * as tf from '../tf/tfjs';
import type { BackendDescriptor, StartOutcome } from './backend-descriptor';
import { adapterLabel, installNavigatorGpu, probeWebGpuAdapter } from './webgpu-adapter';

export const SOFTWARE_NOTE = 'a software rasteriser meant for tests, not for speed';

export const webgpuBackend: BackendDescriptor = {
  name: 'webgpu',
  label: 'WebGPU',
  attention: 'batched',
  // GPU reductions may be ordered differently from run to run.
  deterministic: false,
  // Tensors are GPU buffers; the adapter's buffer limits are checked before a run starts (gpu-limits.ts).
  memory: { kind: 'gpu', activationBudgetBytes: Infinity, copiesInput: true },
  replicas: () => 1,
  async start(opts): Promise<StartOutcome> {
    const p = await probeWebGpuAdapter();
    if (!p.ok) return { ok: false, why: p.why };
    const label = adapterLabel(p.adapter);
    if (p.adapter.software && opts.requested !== 'webgpu') {
      return { ok: false, why: `the only WebGPU adapter is ${label}, ${SOFTWARE_NOTE}; auto never chooses it (--backend webgpu does)` };
    }
    try {
      if (!tf.engine().registryFactory['webgpu']) {
        // tfjs-backend-webgpu registers itself only if navigator.gpu exists when it is evaluated.
        installNavigatorGpu(await p.gpu());
        await import(/* @vite-ignore */ '@tensorflow/tfjs-backend-webgpu');
      }
      if (!(await tf.setBackend('webgpu'))) return { ok: false, why: `tfjs-backend-webgpu did not initialise on ${label}` };
    } catch (e) {
      return { ok: false, why: `tfjs-backend-webgpu failed on ${label} (${(e as Error).message})` };
    }
    const soft = p.adapter.software ? `; ${SOFTWARE_NOTE}` : '';
    return { ok: true, detail: `WebGPU on ${label} through Dawn${soft}`, adapter: p.adapter };
  },
};
