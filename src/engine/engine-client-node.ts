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
    // 'exit' normally ends the link; a process that never spawned only emits 'error', so that ends it too.
    const exitCallbacks: ((code: number | null) => void)[] = [];
    let ended = false;
    const end = (code: number | null) => {
      if (ended) return;
      ended = true;
      for (const cb of exitCallbacks) cb(code);
    };
    child.once('exit', (code) => end(code));
    child.on('error', (err) => {
      tail = (tail + `\nengine process error: ${err.message}`).slice(-4000);
      if (child.pid === undefined) end(null);
    });
    return {
      send: (m) => {
        if (!child.connected) throw new Error('the engine process is not running');
        // a failed send surfaces through the exit handler (pending calls fail there), never as an unhandled 'error' event
        child.send(m, (err) => {
          if (err) tail = (tail + `\nsend failed: ${err.message}`).slice(-4000);
        });
      },
      onMessage: (cb) => child.on('message', (m) => cb(m as EngineToHost)),
      onExit: (cb) => {
        if (ended) cb(child.exitCode);
        else exitCallbacks.push(cb);
      },
      lastError: () => lastErrorLine(tail),
      kill: () => {
        child.kill();
      },
    };
  });
}
