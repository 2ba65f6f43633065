// Messages between a host (Electron main, web host, CLI) and the engine process.
import type { Channel, Envelope, EventName } from '../shared/ipc-contract';
import type { ImageReply } from './roots/image-service';

export type HostToEngine =
  | { type: 'request'; id: number; channel: Channel; request: unknown }
  | { type: 'image'; id: number; path: string; width?: number };

/** Host -> engine about the compute window (Electron only: the port travels with 'compute:port', see compute-host.ts). */
export type HostComputeMessage =
  /** The compute window's MessagePort, transferred with this message (after compute:open). */
  | { type: 'compute:port' }
  /** The host could not open the compute window. */
  | { type: 'compute:unavailable'; why: string }
  /** The compute window went away (its renderer crashed or was closed). */
  | { type: 'compute:gone'; why: string };

export type EngineToHost =
  | { type: 'ready'; pid: number }
  | { type: 'response'; id: number; envelope: Envelope<unknown> }
  | { type: 'image'; id: number; reply: ImageReply }
  | { type: 'event'; event: EventName; payload: unknown }
  /** A run wants WebGPU in Electron: open the compute window and send its port (compute:port). */
  | { type: 'compute:open' };
