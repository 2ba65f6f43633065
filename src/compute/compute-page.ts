// Entry of the compute window's page: waits for the engine's MessagePort (posted to the window, e.g. by an Electron preload or a test) and serves the trainer on it.
import { COMPUTE_PORT_MESSAGE, type ComputeRequest } from './compute-protocol';
import { serveCompute } from './compute-trainer';

/** The trainer over a DOM MessagePort (the window's end of the engine's channel). */
function serveComputePort(port: MessagePort): void {
  serveCompute({
    onRequest: (cb) => {
      port.onmessage = (e: MessageEvent<ComputeRequest>) => cb(e.data);
      port.start();
    },
    reply: (r) => port.postMessage(r),
  });
}

window.addEventListener('message', (e: MessageEvent) => {
  if (e.source !== window || (e.data as { type?: string } | null)?.type !== COMPUTE_PORT_MESSAGE || !e.ports[0]) return;
  serveComputePort(e.ports[0]);
  document.body.dataset.state = 'connected';
});
document.body.dataset.state = 'ready';
