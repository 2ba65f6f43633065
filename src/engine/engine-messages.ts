// Messages between a host (Electron main, web host, CLI) and the engine process.
import type { Channel, Envelope, EventName } from '../shared/ipc-contract';
import type { ImageReply } from './roots/image-service';

export type HostToEngine =
  | { type: 'request'; id: number; channel: Channel; request: unknown }
  | { type: 'image'; id: number; path: string; width?: number };

export type EngineToHost =
  | { type: 'ready'; pid: number }
  | { type: 'response'; id: number; envelope: Envelope<unknown> }
  | { type: 'image'; id: number; reply: ImageReply }
  | { type: 'event'; event: EventName; payload: unknown };
