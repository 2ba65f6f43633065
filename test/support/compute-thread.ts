// Test support: a worker thread that serves the compute window's trainer (src/compute/compute-trainer.ts, the code the window runs) on the MessagePort its parent sends, as a window serves the engine's port.
import { parentPort, type MessagePort } from 'node:worker_threads';
import { serveCompute } from '../../src/compute/compute-trainer';
import type { ComputeRequest } from '../../src/compute/compute-protocol';

if (!parentPort) throw new Error('compute-thread must run as a worker thread (test/support/compute-thread-host.ts starts it)');
parentPort.once('message', (port: MessagePort) => {
  serveCompute({ onRequest: (cb) => port.on('message', (m: ComputeRequest) => cb(m)), reply: (r) => port.postMessage(r) });
});
