// The trainer a compute window runs: the engine's own backend selection and DINO system, driven step by step over a MessagePort (batches in, statistics and state out).
import { startBackend } from '../engine/backends/select-backend';
import * as tf from '../engine/tf/tfjs';
import { createDinoSystem, type DinoSystem } from '../engine/train/dino-system';
import type { ComputeMemory, ComputeReply, ComputeRequest } from './compute-protocol';

function memory(): ComputeMemory {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return { numTensors: m.numTensors, numBytesInGPU: typeof m.numBytesInGPU === 'number' ? m.numBytesInGPU : null };
}

/** Answer every request on `port` in order (one at a time: a step must finish before the next arrives). */
export function serveComputePort(port: MessagePort): void {
  let sys: DinoSystem | null = null;
  let queue: Promise<void> = Promise.resolve();
  const handle = async (req: ComputeRequest): Promise<ComputeReply> => {
    switch (req.kind) {
      case 'init': {
        const backend = await startBackend(req.backend);
        if (backend.name !== req.backend) throw new Error(`the ${req.backend} backend did not start in this window: ${backend.reason}`);
        sys?.dispose();
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
  port.onmessage = (e: MessageEvent<ComputeRequest>) => {
    const req = e.data;
    queue = queue.then(async () => {
      let reply: ComputeReply;
      try {
        reply = await handle(req);
      } catch (err) {
        reply = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
      port.postMessage(reply);
    });
  };
  port.start();
}
