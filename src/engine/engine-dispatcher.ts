// The engine's request path: validate with parseRequest, run the handler with a HandlerContext, turn failures into envelopes.
import { mkdirSync } from 'node:fs';
import { CHANNELS, MAIN_ONLY_CHANNELS, parseRequest, type Channel, type EngineEvents, type Envelope, type EventName } from '../shared/ipc-contract';
import { StudioFailure } from './studio-failure';
import type { ComputeWindowSource } from './compute-host';
import { type Handler, type HandlerContext, type PartialHandlerTable } from './handlers/handler-types';
import { handlerTable } from './handlers';
import { AllowedRoots } from './roots/allowed-roots';
import { runsDirOf } from './roots/data-dir';
import { readConfinedImage, type ImageReply } from './roots/image-service';

export interface EngineDispatcher {
  readonly ctx: HandlerContext;
  readonly roots: AllowedRoots;
  dispatch(channel: unknown, request: unknown): Promise<Envelope<unknown>>;
  image(path: string, width?: number): Promise<ImageReply>;
}

export interface DispatcherOptions {
  dataDir: string;
  emit: (event: EventName, payload: unknown) => void;
  /** Defaults to the merged table of every domain. */
  table?: PartialHandlerTable;
  /** The host's compute window, where it has one (Electron). */
  compute?: ComputeWindowSource;
}

/** Convert anything a handler throws into the error envelope (a StudioFailure keeps its code and message). */
export function failureEnvelope(channel: string, e: unknown): Envelope<never> {
  if (e instanceof StudioFailure) return { ok: false, error: { code: e.code, message: e.message } };
  const message = e instanceof Error ? e.message : String(e);
  return { ok: false, error: { code: 'internal', message: `${channel} failed unexpectedly: ${message}` } };
}

export function createDispatcher(opts: DispatcherOptions): EngineDispatcher {
  const runsDir = runsDirOf(opts.dataDir);
  mkdirSync(runsDir, { recursive: true });
  const roots = new AllowedRoots(opts.dataDir, [runsDir]);
  const table = opts.table ?? handlerTable;
  const ctx: HandlerContext = {
    emit: <E extends EventName>(event: E, payload: EngineEvents[E]) => opts.emit(event, payload),
    dataDir: opts.dataDir,
    runsDir,
    allowRoot: (root) => roots.allow(root),
    isAllowed: (absPath) => roots.check(absPath).ok,
    openedFolders: () => roots.opened(),
    removeRoot: (root) => roots.remove(root),
    ...(opts.compute ? { compute: opts.compute } : {}),
  };

  async function dispatch(channel: unknown, request: unknown): Promise<Envelope<unknown>> {
    if (typeof channel !== 'string' || !(CHANNELS as string[]).includes(channel)) {
      return { ok: false, error: { code: 'invalid_request', message: `unknown channel ${JSON.stringify(channel)?.slice(0, 80)}` } };
    }
    const ch = channel as Channel;
    if ((MAIN_ONLY_CHANNELS as readonly string[]).includes(ch)) {
      const instead = ch === 'export:save' ? 'in the browser the export is a download (export:run, then the download link)' : 'in the browser use the folder browser';
      return { ok: false, error: { code: 'unsupported', message: `${ch} is answered by the desktop window, not the engine; ${instead}` } };
    }
    const parsed = parseRequest(ch, request);
    if (!parsed.ok) return parsed;
    const handler = (table as Record<string, Handler<Channel> | undefined>)[ch];
    if (!handler) {
      return { ok: false, error: { code: 'unsupported', message: `${ch} is not available in this version of the engine` } };
    }
    try {
      const value = await handler(parsed.value as never, ctx);
      return { ok: true, value };
    } catch (e) {
      return failureEnvelope(ch, e);
    }
  }

  return {
    ctx,
    roots,
    dispatch,
    image: (path, width) => readConfinedImage(path, width, roots.list()),
  };
}
