// The engine's compute host (src/engine/compute-host.ts) between a run's port and a window's port, the window being the real compute trainer in a worker thread: it asks the host once, relays requests and replies, and a window that goes away fails the pending request with the host's reason.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ComputeHost, type WindowPort } from '../../src/engine/compute-host';
import { ComputeClient } from '../../src/engine/train/compute-client';
import { startComputeThread, type ComputeThread } from '../support/compute-thread-host';
import { COMPUTE_CFG } from '../support/compute-steps';

/** A worker_threads port in the shape Electron's MessagePortMain has in the engine (message events carry .data). */
function asWindowPort(p: MessagePort): WindowPort {
  return {
    postMessage: (m) => p.postMessage(m),
    on: ((event: 'message' | 'close', cb: (e?: { data: unknown }) => void) =>
      event === 'message' ? p.on('message', (data: unknown) => cb({ data })) : p.on('close', () => cb())) as WindowPort['on'],
    start: () => p.start(),
    close: () => p.close(),
  };
}

let threads: ComputeThread[] = [];
afterEach(async () => {
  await Promise.all(threads.map((t) => t.worker.terminate()));
  threads = [];
});

describe('ComputeHost', () => {
  it('asks the host for the window once, relays a run to it, and fails a pending step with the reason the host gives when the window goes away', async () => {
    let asked = 0;
    const host: ComputeHost = new ComputeHost(() => {
      asked++;
      const t = startComputeThread();
      threads.push(t);
      // As Electron's host: the window's port arrives with compute:port.
      setImmediate(() => host.receivePort(asWindowPort(t.port)));
    });
    expect(host.wants('webgpu')).toBe(true);
    expect(host.wants('cpu')).toBe(false);

    const client = new ComputeClient(await host.open());
    const started = await client.request({ kind: 'start', backend: 'cpu' });
    expect(started.backend?.name).toBe('cpu');
    await client.request({ kind: 'init', config: COMPUTE_CFG, seed: 1, backend: 'cpu' });
    client.close();

    // The next run reuses the window.
    const second = new ComputeClient(await host.open());
    expect(asked).toBe(1);
    const state = second.request({ kind: 'state' });
    host.receiveGone("the compute window's renderer process ended (crashed, exit code 139)");
    await expect(state).rejects.toThrow(/compute window that trains on WebGPU stopped \(the compute window's renderer process ended \(crashed, exit code 139\)\).*cpu or wasm/);
    expect(second.lost).toMatch(/crashed/);

    // A later run asks the host for a new window.
    await host.open();
    expect(asked).toBe(2);
  });

  it('rejects a run with the reason the host could not open the window, and times out when the host never answers', async () => {
    const host: ComputeHost = new ComputeHost(() => setImmediate(() => host.receiveUnavailable("the compute window's page is not built")));
    await expect(host.open()).rejects.toThrow(/not built/);
    const silent = new ComputeHost(() => undefined, true, 50);
    await expect(silent.open()).rejects.toThrow(/did not open its compute window within 0.05 s/);
  });

  it('a window whose port closes by itself is gone for the run on it', async () => {
    const { port1, port2 } = new MessageChannel();
    const host: ComputeHost = new ComputeHost(() => setImmediate(() => host.receivePort(asWindowPort(port1))));
    const client = new ComputeClient(await host.open());
    const pending = client.request({ kind: 'state' });
    port2.close();
    await expect(pending).rejects.toThrow(/stopped \(the window's port closed\)/);
  });
});
