// Host side of the engine: one interface (call, image, events), restarts a dead engine and fails its pending calls clearly.
import type { Channel, ChannelResponse, Envelope, EventName } from '../shared/ipc-contract';
import type { EngineToHost, HostComputeMessage, HostToEngine } from './engine-messages';
import type { ImageReply } from './roots/image-service';

export type EngineEventListener = (event: EventName, payload: unknown) => void;

export interface EngineClient {
  call<C extends Channel>(channel: C, request: unknown): Promise<Envelope<ChannelResponse<C>>>;
  /** Untyped form for transports that forward whatever channel name a client sent (validated by the engine). */
  callRaw(channel: string, request: unknown): Promise<Envelope<unknown>>;
  image(path: string, width?: number): Promise<ImageReply>;
  onEvent(listener: EngineEventListener): () => void;
  dispose(): Promise<void>;
}

/** A running engine process, as seen by the client: Electron utilityProcess or Node child_process. */
export interface EngineLink {
  send(message: HostToEngine): void;
  onMessage(cb: (message: EngineToHost) => void): void;
  onExit(cb: (code: number | null) => void): void;
  kill(): void;
  /** The engine's last error output, if the link captures it (shown when the engine dies). */
  lastError?: () => string | null;
  /** Compute-window messages, the port transferred with 'compute:port' (Electron's link only). */
  sendCompute?(message: HostComputeMessage, port?: unknown): void;
}

type Pending =
  | { kind: 'request'; link: EngineLink; channel: string; resolve: (e: Envelope<unknown>) => void }
  | { kind: 'image'; link: EngineLink; path: string; resolve: (r: ImageReply) => void };

/** Runs the engine through `spawn`, restarting it on the next call after it dies. */
/** How long dispose waits for the engine to exit after asking it to (SIGTERM): its run's save bound plus a margin. */
const DISPOSE_WAIT_MS = 25_000;

export class ForkedEngineClient implements EngineClient {
  private link: EngineLink | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<EngineEventListener>();
  private disposed = false;
  /** How many engine processes were started (1 + restarts). */
  starts = 0;
  /** Called when the engine asks for the compute window (compute:open; Electron's host answers with sendCompute). */
  computeOpen: (() => void) | null = null;

  constructor(private readonly spawn: () => EngineLink) {}

  private ensure(): EngineLink {
    if (this.disposed) throw new Error('the engine client was shut down');
    if (this.link) return this.link;
    const link = this.spawn();
    this.starts++;
    this.link = link;
    link.onMessage((m) => this.receive(m));
    link.onExit((code) => {
      if (this.link === link) this.link = null;
      this.failPending(link, code, link.lastError?.() ?? null);
    });
    return link;
  }

  private receive(m: EngineToHost): void {
    if (m.type === 'event') {
      for (const l of this.listeners) l(m.event, m.payload);
      return;
    }
    if (m.type === 'ready') return;
    if (m.type === 'compute:open') {
      this.computeOpen?.();
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'response' && p.kind === 'request') p.resolve(m.envelope);
    else if (m.type === 'image' && p.kind === 'image') p.resolve(m.reply);
  }

  /** Fail the calls sent to `link` (all calls when null). */
  private failPending(link: EngineLink | null, code: number | null, cause: string | null = null): void {
    const because = cause ? ` after "${cause.slice(0, 300)}"` : '';
    const why = this.disposed ? 'the engine was shut down' : `the engine process exited (code ${code ?? 'signal'})${because}; it restarts on the next request, so try again`;
    for (const [id, p] of this.pending) {
      if (link && p.link !== link) continue;
      this.pending.delete(id);
      if (p.kind === 'request') p.resolve({ ok: false, error: { code: 'internal', message: `${p.channel} did not finish: ${why}` } });
      else p.resolve({ ok: false, status: 404, message: `image ${p.path} could not be read: ${why}` });
    }
  }

  call<C extends Channel>(channel: C, request: unknown): Promise<Envelope<ChannelResponse<C>>> {
    return this.callRaw(channel, request) as Promise<Envelope<ChannelResponse<C>>>;
  }

  callRaw(channel: string, request: unknown): Promise<Envelope<unknown>> {
    return new Promise((resolve) => {
      let link: EngineLink;
      try {
        link = this.ensure();
      } catch (e) {
        resolve({ ok: false, error: { code: 'internal', message: `${channel}: the engine could not start: ${(e as Error).message}` } });
        return;
      }
      const id = this.nextId++;
      this.pending.set(id, { kind: 'request', link, channel, resolve });
      try {
        link.send({ type: 'request', id, channel: channel as Channel, request });
      } catch (e) {
        this.pending.delete(id);
        resolve({ ok: false, error: { code: 'invalid_request', message: `${channel}: the request could not be sent to the engine (${(e as Error).message})` } });
      }
    });
  }

  image(path: string, width?: number): Promise<ImageReply> {
    return new Promise((resolve) => {
      let link: EngineLink;
      try {
        link = this.ensure();
      } catch (e) {
        resolve({ ok: false, status: 404, message: `the engine could not start: ${(e as Error).message}` });
        return;
      }
      const id = this.nextId++;
      this.pending.set(id, { kind: 'image', link, path, resolve });
      try {
        link.send({ type: 'image', id, path, width });
      } catch (e) {
        this.pending.delete(id);
        resolve({ ok: false, status: 404, message: `image ${path} could not be requested from the engine (${(e as Error).message})` });
      }
    });
  }

  onEvent(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Send a compute-window message (and the window's port) to the running engine; false when no engine runs or its link cannot carry it. */
  sendCompute(message: HostComputeMessage, port?: unknown): boolean {
    const link = this.link;
    if (!link?.sendCompute) return false;
    link.sendCompute(message, port);
    return true;
  }

  /** Kill the current engine process (tests use this to check the restart path). */
  killEngine(): void {
    const link = this.link;
    this.link = null;
    if (link) {
      // requests already sent to it fail through its exit handler; the next call starts a fresh engine
      link.kill();
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const link = this.link;
    this.link = null;
    if (link) {
      await new Promise<void>((resolve) => {
        // An engine that trains finishes its step and saves a checkpoint first (engine-process waits up to 20 s for that).
        const timer = setTimeout(resolve, DISPOSE_WAIT_MS);
        link.onExit(() => {
          clearTimeout(timer);
          resolve();
        });
        link.kill();
      });
    }
    this.failPending(null, null);
  }
}
