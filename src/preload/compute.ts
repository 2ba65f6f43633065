// The compute window's sandboxed preload: hands the engine's MessagePort (posted by main on COMPUTE_PORT_IPC) to the page's main world, where the trainer bundle serves it. Nothing is exposed.
import { ipcRenderer } from 'electron';
import { COMPUTE_PORT_MESSAGE } from '../compute/compute-protocol';
import { COMPUTE_PORT_IPC } from '../main/ipc-events';

/** The page's window as this preload sees it (the Node-side tsconfig has no DOM types). */
const page = globalThis as unknown as { postMessage(message: unknown, targetOrigin: string, transfer: unknown[]): void };

ipcRenderer.on(COMPUTE_PORT_IPC, (event) => {
  // To this same window only (the page checks e.source === window); a file:// page has no origin to name, hence '*'.
  page.postMessage({ type: COMPUTE_PORT_MESSAGE }, '*', event.ports);
});
