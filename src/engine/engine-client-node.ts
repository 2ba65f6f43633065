// Engine client for plain Node hosts (web host, CLI, tests): the engine runs in a child_process.fork.
import { fork } from 'node:child_process';
import { ForkedEngineClient, type EngineLink } from './engine-client';
import type { EngineToHost } from './engine-messages';
import { engineEntry } from './engine-entry';

export interface NodeEngineOptions {
  /** Data folder for the engine (MULTICROP_DATA_DIR); inherited from this process when absent. */
  dataDir?: string;
  mode?: 'web' | 'electron';
  /** import.meta.url of the caller, used to find the engine entry (built or source). */
  from?: string;
}

/** The most telling line of a crash: the last line naming an error, else the last non-empty line. */
export function lastErrorLine(stderr: string): string | null {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const err = [...lines].reverse().find((l) => /error/i.test(l) && !l.startsWith('at '));
  return err ?? lines.at(-1) ?? null;
}

export function createNodeEngineClient(opts: NodeEngineOptions = {}): ForkedEngineClient {
  const entry = engineEntry(opts.from ?? import.meta.url);
  const env: NodeJS.ProcessEnv = { ...process.env, MULTICROP_HOST_MODE: opts.mode ?? 'web' };
  if (opts.dataDir) env.MULTICROP_DATA_DIR = opts.dataDir;
  return new ForkedEngineClient((): EngineLink => {
    const child = fork(entry.file, [], {
      execArgv: [...entry.execArgv],
      env,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    // Forward the engine's stderr and keep its tail, so a crash is reported with its cause.
    let tail = '';
    child.stderr!.on('data', (d: Buffer) => {
      process.stderr.write(d);
      tail = (tail + d.toString()).slice(-4000);
    });
    return {
      send: (m) => {
        child.send(m);
      },
      onMessage: (cb) => child.on('message', (m) => cb(m as EngineToHost)),
      onExit: (cb) => child.once('exit', (code) => cb(code)),
      lastError: () => lastErrorLine(tail),
      kill: () => {
        child.kill();
      },
    };
  });
}
