// The trainer a compute window runs: the engine's own backend selection and DINO system, driven step by step over a port (batches in, statistics and state out). Pure: it runs in a browser window and in a Node worker thread alike.
import type { BackendInfo } from '../shared/ipc-contract';
import { startBackend } from '../engine/backends/select-backend';
import { StudioFailure } from '../engine/studio-failure';
import * as tf from '../engine/tf/tfjs';
import { createDinoSystem, type DinoSystem } from '../engine/train/dino-system';
import type { ComputeBackend, ComputeMemory, ComputeReply, ComputeRequest, ComputeServerLink } from './compute-protocol';

function memory(): ComputeMemory {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return { numTensors: m.numTensors, numBytesInGPU: typeof m.numBytesInGPU === 'number' ? m.numBytesInGPU : null };
}

/** Start the backend asked for in this window, or throw why not ('auto' accepts only WebGPU on a hardware adapter). */
export async function startComputeBackend(pref: ComputeBackend): Promise<BackendInfo> {
  const backend = await startBackend(pref);
  const want = pref === 'auto' ? 'webgpu' : pref;
  if (backend.name !== want) {
    throw new Error(`${pref === 'auto' ? 'WebGPU on a hardware adapter' : `the ${pref} backend`} did not start in this window: ${backend.reason}`);
  }
  return backend;
}

/** Answer every request on `link` in order (one at a time: a step must finish before the next arrives). */
export function serveCompute(link: ComputeServerLink): void {
  let sys: DinoSystem | null = null;
  let queue: Promise<void> = Promise.resolve();
  const handle = async (req: ComputeRequest): Promise<ComputeReply> => {
    switch (req.kind) {
      case 'start': {
        return { id: req.id, ok: true, backend: await startComputeBackend(req.backend), memory: memory() };
      }
      case 'init': {
        const backend = await startComputeBackend(req.backend);
        sys?.dispose();
        sys = null;
        sys = createDinoSystem(req.config, { seed: req.seed, initial: req.initial, attention: req.attention });
        return { id: req.id, ok: true, backend, memory: memory() };
      }
      case 'step': {
        if (!sys) throw new Error('step before init');
        const stats = await sys.step(req.batches, req.sched);
        return { id: req.id, ok: true, stats, memory: memory() };
      }
      case 'state': {
        if (!sys) throw new Error('state before init');
        return { id: req.id, ok: true, state: await sys.readState() };
      }
      case 'setState': {
        if (!sys) throw new Error('setState before init');
        sys.setState(req.state);
        return { id: req.id, ok: true };
      }
      case 'dispose': {
        sys?.dispose();
        sys = null;
        return { id: req.id, ok: true, memory: memory() };
      }
    }
  };
  link.onRequest((req) => {
    queue = queue.then(async () => {
      let reply: ComputeReply;
      try {
        reply = await handle(req);
      } catch (err) {
        reply = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err), ...(err instanceof StudioFailure ? { code: err.code } : {}) };
      }
      link.reply(reply);
    });
  });
}
