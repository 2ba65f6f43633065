// Test support: start test/support/compute-thread.ts (the compute window's trainer in a worker thread) and hand back the engine's end of its MessageChannel.
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { startWorker } from '../../src/engine/util/start-worker';

export interface ComputeThread {
  /** The engine's end of the channel (what a compute window's relay gives the training worker). */
  port: MessagePort;
  worker: Worker;
}

export function startComputeThread(): ComputeThread {
  const worker = startWorker('compute-thread', import.meta.url, null);
  const { port1, port2 } = new MessageChannel();
  worker.postMessage(port2, [port2]);
  return { port: port1, worker };
}
