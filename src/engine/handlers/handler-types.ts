// Types of the engine's handler table: one async function per channel, failures thrown as StudioFailure (../studio-failure.ts).
import type { ComputeWindowSource } from '../compute-host';
import type { Channel, ChannelRequest, ChannelResponse, EngineEvents, EventName, MAIN_ONLY_CHANNELS } from '../../shared/ipc-contract';

/** What every handler may use: event emission, the data folders, and the set of folders the user opened. */
export interface HandlerContext {
  emit<E extends EventName>(event: E, payload: EngineEvents[E]): void;
  /** Per-user data folder (sample dataset, recent folders, runs). */
  dataDir: string;
  runsDir: string;
  /** Open a folder (only on the person's explicit request: folders:open, the sample); every path from a page is confined to these and the runs folder. */
  allowRoot(root: string): void;
  isAllowed(absPath: string): boolean;
  /** The folders the person opened, newest first (without the runs folder). */
  openedFolders(): string[];
  /** Close an opened folder; false when it was not open (or is the runs folder). */
  removeRoot(root: string): boolean;
  /** The host's compute window (Electron's WebGPU), where the host has one. */
  compute?: ComputeWindowSource;
}

export type EngineChannel = Exclude<Channel, (typeof MAIN_ONLY_CHANNELS)[number]>;
export type Handler<C extends Channel> = (req: ChannelRequest<C>, ctx: HandlerContext) => Promise<ChannelResponse<C>>;
export type HandlerTable = { [C in EngineChannel]: Handler<C> };
export type PartialHandlerTable = Partial<HandlerTable>;
