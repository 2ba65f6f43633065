// The engine's end of a compute port: numbered requests to a compute window's trainer (src/compute/compute-protocol.ts), replies matched by id; a window that goes away fails every pending request with what happened and what to do.
import type { ComputeLost, ComputeReply, ComputeRequest } from '../../compute/compute-protocol';
import { StudioFailure } from '../studio-failure';

/** What the client needs of its port (a worker_threads MessagePort has it; nothing Electron-specific). */
export interface ComputeClientPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  close(): void;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
export type ComputeOk = Extract<ComputeReply, { ok: true }>;

/** What a person reads when the compute window is gone mid-run (the loop adds the last good checkpoint). */
export function computeLostMessage(why: string): string {
  return (
    `the compute window that trains on WebGPU stopped (${why}); the run stopped at its last checkpoint, nothing saved is lost. ` +
    'Resume the run to try WebGPU again, or choose the cpu or wasm backend on the Training screen and resume it there'
  );
}

export class ComputeClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: ComputeOk) => void; reject: (e: Error) => void }>();
  private lostWhy: string | null = null;

  constructor(private readonly port: ComputeClientPort) {
    port.on('message', (m) => this.receive(m as ComputeReply | ComputeLost));
    port.on('close', () => this.lose('its connection to the engine closed'));
  }

  /** Why the window is gone (null while it serves). */
  get lost(): string | null {
    return this.lostWhy;
  }

  private receive(m: ComputeReply | ComputeLost): void {
    if ('kind' in m) {
      if (m.kind === 'lost') this.lose(m.why);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m);
    else p.reject(new StudioFailure(m.code ?? 'internal', `the compute window: ${m.error}`));
  }

  private lose(why: string): void {
    if (this.lostWhy !== null) return;
    this.lostWhy = why;
    const e = new StudioFailure('internal', computeLostMessage(why));
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** Send one request; resolves with its reply, rejects with the window's error or its loss. */
  request(req: WithoutId<ComputeRequest>): Promise<ComputeOk> {
    if (this.lostWhy !== null) return Promise.reject(new StudioFailure('internal', computeLostMessage(this.lostWhy)));
    const id = this.nextId++;
    return new Promise<ComputeOk>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        // Copied, not transferred: the loader reuses a batch's buffers once the step returns.
        this.port.postMessage({ ...req, id });
      } catch (e) {
        this.pending.delete(id);
        reject(new StudioFailure('internal', `a ${req.kind} request could not be sent to the compute window (${(e as Error).message})`));
      }
    });
  }

  /** Close the port (the window keeps serving the next run's port). */
  close(): void {
    this.lose('the engine closed it');
    this.port.close();
  }
}
