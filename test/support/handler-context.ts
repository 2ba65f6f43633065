// Test support: the context the engine dispatcher hands a handler (data and runs folders, the opened folders, events), for calling handlers directly.
import { join, resolve, sep } from 'node:path';
import type { HandlerContext } from '../../src/engine/handlers/handler-types';
import type { ProgressEvent } from '../../src/shared/ipc-contract';

export interface ContextOptions {
  dataDir: string;
  /** Default: dataDir/runs. */
  runsDir?: string;
  /** The folders the person opened (more join through allowRoot, as folders:open does). */
  opened?: string[];
  /** Called on each progress event, after it is recorded in `events`. */
  onProgress?(event: ProgressEvent): void;
}

/** A handler context that records progress events and keeps the opened folders, confining paths to them as the dispatcher does. */
export function handlerContext(opts: ContextOptions): HandlerContext & { events: ProgressEvent[]; roots: string[] } {
  const roots = (opts.opened ?? []).map((r) => resolve(r));
  const events: ProgressEvent[] = [];
  return {
    events,
    roots,
    dataDir: opts.dataDir,
    runsDir: opts.runsDir ?? join(opts.dataDir, 'runs'),
    emit: (event, payload) => {
      if (event !== 'progress') return;
      events.push(payload as ProgressEvent);
      opts.onProgress?.(payload as ProgressEvent);
    },
    allowRoot: (r: string) => void roots.push(resolve(r)),
    openedFolders: () => [...roots],
    removeRoot: () => false,
    isAllowed: (p: string) => roots.some((r) => p === r || p.startsWith(r + sep)),
  };
}
