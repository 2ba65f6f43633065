// The renderer's one door to the engine: typed calls that unwrap envelopes and report failures to a sink (toasts).
import type { Envelope, EngineEvents, EventName, StudioApi, StudioError } from '../../../shared/ipc-contract';
import { getStudio } from '../api';

type Methods = Exclude<keyof StudioApi, 'on' | 'imageUrl'>;
export type ApiRequest<M extends Methods> = Parameters<StudioApi[M]>[0];
export type ApiResponse<M extends Methods> = StudioApi[M] extends (req: never) => Promise<Envelope<infer T>> ? T : never;

/** Where failures go (the app store shows them as toasts). */
type FailureSink = (error: StudioError, method: string) => void;
let sink: FailureSink = (error, method) => console.error(`${method}: ${error.message}`);
export function setFailureSink(fn: FailureSink): void {
  sink = fn;
}

let studioPromise: Promise<StudioApi> | null = null;
/** The transport (window.studio in Electron, the WebSocket client in a browser tab), created once. */
export function studio(): Promise<StudioApi> {
  studioPromise ??= Promise.resolve(getStudio());
  return studioPromise;
}

function transportFailure(e: unknown): StudioError {
  const msg = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: `The connection to the engine failed (${msg}); reload the page or restart the app` };
}

/** Call a channel and get its envelope as is (for callers that handle failures themselves). */
export async function callRaw<M extends Methods>(method: M, req: ApiRequest<M>): Promise<Envelope<ApiResponse<M>>> {
  try {
    const s = await studio();
    const fn = s[method] as unknown as (r: ApiRequest<M>) => Promise<Envelope<ApiResponse<M>>>;
    return await fn(req);
  } catch (e) {
    return { ok: false, error: transportFailure(e) };
  }
}

/** Call a channel; on failure report it to the sink (a toast) and return null. */
export async function call<M extends Methods>(method: M, req: ApiRequest<M>): Promise<ApiResponse<M> | null> {
  const r = await callRaw(method, req);
  if (r.ok) return r.value;
  sink(r.error, method);
  return null;
}

/** Subscribe to an engine event; returns the unsubscribe function. */
export async function onEvent<E extends EventName>(event: E, listener: (payload: EngineEvents[E]) => void): Promise<() => void> {
  const s = await studio();
  return s.on(event, listener);
}

let imageUrlFn: ((absPath: string, width?: number) => string) | null = null;
void studio().then((s) => {
  imageUrlFn = (p, w) => s.imageUrl(p, w);
});
/** URL of an image from an opened folder, optionally resized to `width` pixels. */
export function imageUrl(absPath: string, width?: number): string {
  return imageUrlFn ? imageUrlFn(absPath, width) : '';
}
