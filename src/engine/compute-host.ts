// The engine's link to its host's compute window (Electron: a hidden window with WebGPU): asks the host for the window when a run wants it, and relays each run's worker port to the window's port.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { ComputeLost } from '../compute/compute-protocol';
import type { BackendPreference } from './backends/backend-descriptor';
import { computeWindowBackend } from './backends/compute-window-choice';

/** The window's end as the engine receives it from the host (Electron's MessagePortMain: message events carry .data). */
export interface WindowPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

/** What the train controller needs: whether a run's preference goes to the window, and a port to it for one run. */
export interface ComputeWindowSource {
  wants(pref: BackendPreference): boolean;
  /** A fresh worker_threads port relayed to the window (opened on first use); rejects with why there is none. */
  open(): Promise<MessagePort>;
}

/** How long the host may take to open the window and load its page. */
const OPEN_TIMEOUT_MS = 60_000;

export class ComputeHost implements ComputeWindowSource {
  private window: WindowPort | null = null;
  private waiting: { resolve: (p: WindowPort) => void; reject: (e: Error) => void }[] = [];
  /** The active run's end of its channel (one run trains at a time). */
  private run: MessagePort | null = null;

  /** `askHost` asks the host to open the window; it answers with receivePort or receiveUnavailable. */
  constructor(
    private readonly askHost: () => void,
    private readonly inElectron = true,
    private readonly openTimeoutMs = OPEN_TIMEOUT_MS,
  ) {}

  wants(pref: BackendPreference): boolean {
    return computeWindowBackend(pref, this.inElectron) !== null;
  }

  /** Host -> engine: the window's port. */
  receivePort(port: WindowPort): void {
    if (this.window) this.gone('the host opened a new compute window', this.window);
    this.window = port;
    port.on('message', (e) => {
      if (this.window === port) this.run?.postMessage(e.data);
    });
    port.on('close', () => this.gone("the window's port closed", port));
    port.start();
    for (const w of this.waiting.splice(0)) w.resolve(port);
  }

  /** Host -> engine: the window could not be opened. */
  receiveUnavailable(why: string): void {
    for (const w of this.waiting.splice(0)) w.reject(new Error(why));
  }

  /** Host -> engine: the window went away (its renderer crashed or was closed), with what the host saw. */
  receiveGone(why: string): void {
    if (this.window) this.gone(why, this.window);
  }

  private gone(why: string, port: WindowPort): void {
    if (port !== this.window) return;
    this.window = null;
    port.close();
    const run = this.run;
    this.run = null;
    if (!run) return;
    run.postMessage({ kind: 'lost', why } satisfies ComputeLost);
    // Closed after the notice is delivered, so the trainer's client reads the host's reason, not only "closed".
    setTimeout(() => run.close(), 200).unref();
  }

  async open(): Promise<MessagePort> {
    const win = this.window ?? (await this.requestWindow());
    this.run?.close();
    const { port1, port2 } = new MessageChannel();
    this.run = port1;
    port1.on('message', (m: unknown) => {
      if (this.run === port1 && this.window === win) win.postMessage(m);
    });
    port1.on('close', () => {
      if (this.run === port1) this.run = null;
    });
    return port2;
  }

  private requestWindow(): Promise<WindowPort> {
    return new Promise<WindowPort>((resolve, reject) => {
      const entry = {
        resolve: (p: WindowPort) => {
          clearTimeout(timer);
          resolve(p);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== entry);
        reject(new Error(`the desktop app did not open its compute window within ${this.openTimeoutMs / 1000} s`));
      }, this.openTimeoutMs);
      this.waiting.push(entry);
      if (this.waiting.length === 1) this.askHost();
    });
  }
}
