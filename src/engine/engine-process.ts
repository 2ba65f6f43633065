// Entry of the engine process (utilityProcess under Electron, child_process.fork elsewhere): routes host messages to the dispatcher.
import { createDispatcher } from './engine-dispatcher';
import type { EngineToHost, HostToEngine } from './engine-messages';
import { resolveDataDir } from './roots/data-dir';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

/** Electron's utilityProcess exposes process.parentPort; child_process.fork gives process.send. */
function connect(): { send: (m: EngineToHost) => void; onMessage: (cb: (m: HostToEngine) => void) => void } {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (m) => parentPort.postMessage(m),
      onMessage: (cb) => parentPort.on('message', (e) => cb(e.data as HostToEngine)),
    };
  }
  if (typeof process.send === 'function') {
    return {
      send: (m) => {
        if (process.connected) process.send!(m);
      },
      onMessage: (cb) => process.on('message', (m) => cb(m as HostToEngine)),
    };
  }
  throw new Error('engine-process must be started by a host (utilityProcess.fork or child_process.fork), not run directly');
}

const port = connect();
const dispatcher = createDispatcher({
  dataDir: resolveDataDir(),
  emit: (event, payload) => port.send({ type: 'event', event, payload }),
});

port.onMessage((msg) => {
  if (typeof msg !== 'object' || msg === null) return;
  if (msg.type === 'request') {
    void dispatcher.dispatch(msg.channel, msg.request).then((envelope) => port.send({ type: 'response', id: msg.id, envelope }));
  } else if (msg.type === 'image') {
    void dispatcher.image(msg.path, msg.width).then((reply) => port.send({ type: 'image', id: msg.id, reply }));
  }
});

// A host that goes away takes the engine with it (no orphaned trainer).
process.on('disconnect', () => process.exit(0));
port.send({ type: 'ready', pid: process.pid });
