// Engine client for Electron: the engine runs in a utilityProcess (off the main thread, no Electron APIs).
import { utilityProcess, type MessagePortMain } from 'electron';
import { ForkedEngineClient, type EngineLink } from '../engine/engine-client';
import type { EngineToHost } from '../engine/engine-messages';
import { engineEntry } from '../engine/engine-entry';

export function createElectronEngineClient(dataDir: string): ForkedEngineClient {
  const entry = engineEntry(import.meta.url);
  return new ForkedEngineClient((): EngineLink => {
    const child = utilityProcess.fork(entry.file, [], {
      serviceName: 'Multicrop Studio engine',
      execArgv: entry.execArgv,
      env: { ...process.env, MULTICROP_DATA_DIR: dataDir, MULTICROP_HOST_MODE: 'electron' },
      stdio: 'inherit',
    });
    return {
      send: (m) => child.postMessage(m),
      // The compute window's port travels to the engine with its message (see src/main/compute-window.ts).
      sendCompute: (m, port) => child.postMessage(m, port ? [port as MessagePortMain] : undefined),
      onMessage: (cb) => child.on('message', (m: unknown) => cb(m as EngineToHost)),
      onExit: (cb) => child.once('exit', (code) => cb(code)),
      kill: () => {
        child.kill();
      },
    };
  });
}
