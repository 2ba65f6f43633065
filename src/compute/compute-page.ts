// Entry of the compute window's page: waits for the engine's MessagePort (posted to the window, e.g. by an Electron preload or a test) and serves the trainer on it.
import { COMPUTE_PORT_MESSAGE } from './compute-protocol';
import { serveComputePort } from './compute-trainer';

window.addEventListener('message', (e: MessageEvent) => {
  if (e.source !== window || (e.data as { type?: string } | null)?.type !== COMPUTE_PORT_MESSAGE || !e.ports[0]) return;
  serveComputePort(e.ports[0]);
  document.body.dataset.state = 'connected';
});
document.body.dataset.state = 'ready';
