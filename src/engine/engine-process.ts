// Entry of the engine process (utilityProcess under Electron, child_process.fork elsewhere): routes host messages to the dispatcher.
import { ComputeHost, type WindowPort } from './compute-host';
import { createDispatcher } from './engine-dispatcher';
import type { EngineToHost, HostComputeMessage, HostToEngine } from './engine-messages';
import { trainControllerFor } from './handlers/train-handlers';
import { resolveDataDir } from './roots/data-dir';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown; ports?: WindowPort[] }) => void): void;
  postMessage(message: unknown): void;
}

type HostMessage = HostToEngine | HostComputeMessage;

/** Electron's utilityProcess exposes process.parentPort; child_process.fork gives process.send. */
function connect(): { send: (m: EngineToHost) => void; onMessage: (cb: (m: HostMessage, ports: WindowPort[]) => void) => void; electron: boolean } {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (m) => parentPort.postMessage(m),
      onMessage: (cb) => parentPort.on('message', (e) => cb(e.data as HostMessage, e.ports ?? [])),
      electron: Boolean(process.versions.electron),
    };
  }
  if (typeof process.send === 'function') {
    return {
      send: (m) => {
        if (process.connected) process.send!(m);
      },
      onMessage: (cb) => process.on('message', (m) => cb(m as HostToEngine, [])),
      electron: false,
    };
  }
  throw new Error('engine-process must be started by a host (utilityProcess.fork or child_process.fork), not run directly');
}

const port = connect();
// Electron: WebGPU lives in the host's windows (Dawn's addon cannot load here), so runs that want it train in its compute window.
const compute = port.electron ? new ComputeHost(() => port.send({ type: 'compute:open' })) : undefined;
const dispatcher = createDispatcher({
  dataDir: resolveDataDir(),
  emit: (event, payload) => port.send({ type: 'event', event, payload }),
  compute,
});

port.onMessage((msg, ports) => {
  if (typeof msg !== 'object' || msg === null) return;
  if (msg.type === 'compute:port') {
    if (compute && ports[0]) compute.receivePort(ports[0]);
    else compute?.receiveUnavailable('the desktop app sent no port with its compute window');
  } else if (msg.type === 'compute:unavailable') compute?.receiveUnavailable(msg.why);
  else if (msg.type === 'compute:gone') compute?.receiveGone(msg.why);
  else if (msg.type === 'request') {
    void dispatcher.dispatch(msg.channel, msg.request).then((envelope) => port.send({ type: 'response', id: msg.id, envelope }));
  } else if (msg.type === 'image') {
    void dispatcher.image(msg.path, msg.width).then((reply) => port.send({ type: 'image', id: msg.id, reply }));
  }
});

/** How long shutdown waits for an active run to finish its step and save (a real-sized step takes seconds). */
const SHUTDOWN_SAVE_MS = 20_000;
let closing = false;

/** Stop an active run with a final checkpoint (bounded wait), then exit: closing the app loses at most the current step. */
function shutdown(why: string): void {
  if (closing) return;
  closing = true;
  const controller = trainControllerFor(dispatcher.ctx);
  const live = controller.activeRunDir();
  if (live) process.stderr.write(`engine: ${why}; saving a checkpoint of ${live} before exiting\n`);
  void controller
    .shutdown(SHUTDOWN_SAVE_MS)
    .then((saved) => {
      if (live && !saved) process.stderr.write(`engine: the run in ${live} did not save within ${SHUTDOWN_SAVE_MS / 1000} s; resume continues from its last periodic checkpoint\n`);
    })
    .catch(() => undefined)
    .finally(() => process.exit(0));
}

// A host that goes away (or signals) takes the engine with it (no orphaned trainer), after the run saves.
process.on('disconnect', () => shutdown('the host disconnected'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
port.send({ type: 'ready', pid: process.pid });
