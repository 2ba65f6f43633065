// Messages carrying the IPC contract over the web host's WebSocket (browser tab <-> web host).
import type { Channel, Envelope, EventName } from './ipc-contract';

/** Browser -> host: call one channel. */
export interface WsCall {
  t: 'call';
  id: number;
  channel: Channel;
  request: unknown;
}
/** Host -> browser: the envelope answering call `id`. */
export interface WsResult {
  t: 'result';
  id: number;
  envelope: Envelope<unknown>;
}
/** Host -> browser: an engine event (progress, metrics, status, log). */
export interface WsEvent {
  t: 'event';
  event: EventName;
  payload: unknown;
}
export type WsServerMessage = WsResult | WsEvent;

/** Path of the WebSocket endpoint and of the image route on the web host. */
export const WS_PATH = '/ws';
export const IMAGE_PATH = '/image';
/** Download route of the web host: GET /download?run=RUN_ID&file=NAME serves <run>/exports/NAME as an attachment. */
export const DOWNLOAD_PATH = '/download';

/** The download URL of an export in a run's exports/ folder (web host, same authentication as the page). */
export function downloadUrl(runId: string, file: string): string {
  return `${DOWNLOAD_PATH}?${new URLSearchParams({ run: runId, file }).toString()}`;
}
/** Largest message a browser may send (requests are small; configs are a few KB). */
export const WS_MAX_PAYLOAD = 1024 * 1024;

/** Parse a browser message; returns null (never throws) when it is not a well-formed call. */
export function parseWsCall(raw: string): WsCall | null {
  let msg: unknown;
  try {
    msg = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as Record<string, unknown>;
  if (m.t !== 'call' || typeof m.id !== 'number' || !Number.isSafeInteger(m.id) || typeof m.channel !== 'string') return null;
  return { t: 'call', id: m.id, channel: m.channel as Channel, request: m.request };
}
