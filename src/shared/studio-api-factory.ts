// Builds the typed StudioApi (one named function per channel) over any transport; runtime-free of zod so the sandboxed preload can use it.
import type { Channel, Envelope, EngineEvents, EventName, StudioApi } from './ipc-contract';

/** Every channel, spelled out so this file needs no runtime import of the contract (zod). */
export const CHANNEL_LIST = [
  'app:info',
  'backend:info',
  'fs:listDir',
  'dataset:pickFolder',
  'dataset:openSample',
  'dataset:recent',
  'dataset:scan',
  'dataset:cancelScan',
  'folders:open',
  'folders:list',
  'folders:remove',
  'augment:preview',
  'augment:stats',
  'config:validate',
  'schedules:preview',
  'memory:estimate',
  'train:probe',
  'train:start',
  'train:pause',
  'train:resume',
  'train:stop',
  'train:status',
  'runs:list',
  'runs:get',
  'eval:knn',
  'eval:neighbours',
  'eval:attention',
  'eval:history',
  'export:run',
  'export:save',
] as const satisfies readonly Channel[];

/** Every engine event name (mirrors EVENT_NAMES in the contract). */
export const EVENT_LIST = ['progress', 'train:metrics', 'train:status', 'log'] as const satisfies readonly EventName[];

// Compile-time proof that the lists above name every channel and event.
type MissingChannel = Exclude<Channel, (typeof CHANNEL_LIST)[number]>;
type MissingEvent = Exclude<EventName, (typeof EVENT_LIST)[number]>;
export const CHANNEL_LIST_COMPLETE: [MissingChannel, MissingEvent] extends [never, never] ? true : false = true;

/** 'dataset:scan' -> 'datasetScan' (same rule as methodName in the contract). */
export function channelMethod(channel: Channel): string {
  const [a, b] = channel.split(':') as [string, string];
  return a + b.charAt(0).toUpperCase() + b.slice(1);
}

/** What a transport must provide: one call per channel, an event subscription, and the image URL scheme. */
export interface StudioTransport {
  call(channel: Channel, request: unknown): Promise<Envelope<unknown>>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
  imageUrl(absPath: string, width?: number): string;
}

/** Turns a transport into window.studio: one function per channel, each bound to its own channel. */
export function createStudioApi(transport: StudioTransport): StudioApi {
  const api: Record<string, unknown> = {};
  for (const channel of CHANNEL_LIST) {
    api[channelMethod(channel)] = (request: unknown) => transport.call(channel, request ?? {});
  }
  api.on = <E extends EventName>(event: E, listener: (payload: EngineEvents[E]) => void) => {
    if (!(EVENT_LIST as readonly string[]).includes(event)) throw new Error(`Unknown event "${String(event)}"; known events: ${EVENT_LIST.join(', ')}`);
    return transport.on(event, listener as (payload: unknown) => void);
  };
  api.imageUrl = (absPath: string, width?: number) => transport.imageUrl(absPath, width);
  return api as StudioApi;
}

/** Query string of an image request, shared by the web route and the studio-image:// protocol. */
export function imageQuery(absPath: string, width?: number): string {
  const q = new URLSearchParams({ path: absPath });
  if (width !== undefined) q.set('w', String(Math.round(width)));
  return q.toString();
}
