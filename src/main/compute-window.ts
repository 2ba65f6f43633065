// The desktop app's WebGPU: a hidden, sandboxed window running the trainer bundle (out/compute), joined to the engine by a MessageChannelMain; its loss fails the engine's run clearly.
import { BrowserWindow, MessageChannelMain } from 'electron';
import { existsSync } from 'node:fs';
import type { ForkedEngineClient } from '../engine/engine-client';
import { COMPUTE_PORT_IPC } from './ipc-events';
import { computeGoneReason, computeWindowFiles, computeWindowOptions } from './compute-window-options';

/** Opens the window when the engine first asks (compute:open), and sends each engine that asks a fresh port to it. */
export class ComputeWindow {
  private win: BrowserWindow | null = null;
  private loading: Promise<BrowserWindow> | null = null;

  constructor(
    private readonly engine: ForkedEngineClient,
    private readonly outMainDir: string,
  ) {}

  /** Answer the engine's compute:open: a port to the (possibly new) window, or why there is none. */
  async connect(): Promise<void> {
    try {
      const win = await this.ensure();
      const { port1, port2 } = new MessageChannelMain();
      win.webContents.postMessage(COMPUTE_PORT_IPC, null, [port2]);
      if (!this.engine.sendCompute({ type: 'compute:port' }, port1)) port1.close();
    } catch (e) {
      this.engine.sendCompute({ type: 'compute:unavailable', why: (e as Error).message });
    }
  }

  private ensure(): Promise<BrowserWindow> {
    if (this.win && !this.win.isDestroyed()) return Promise.resolve(this.win);
    this.loading ??= this.load().finally(() => (this.loading = null));
    return this.loading;
  }

  private async load(): Promise<BrowserWindow> {
    const files = computeWindowFiles(this.outMainDir);
    if (!existsSync(files.page) || !existsSync(files.preload)) {
      throw new Error(`the compute window's page ${files.page} is not built: run "npm run build" (or choose the cpu or wasm backend)`);
    }
    const win = new BrowserWindow(computeWindowOptions(files.preload));
    win.webContents.on('render-process-gone', (_e, details) => {
      this.engine.sendCompute({ type: 'compute:gone', why: computeGoneReason(details) });
      if (!win.isDestroyed()) win.destroy();
    });
    win.on('closed', () => {
      if (this.win === win) this.win = null;
    });
    try {
      await win.loadFile(files.page);
    } catch (e) {
      win.destroy();
      throw new Error(`the compute window's page did not load (${(e as Error).message})`);
    }
    this.win = win;
    return win;
  }

  /** Close the window (the app is quitting, or its main window closed). */
  close(): void {
    if (this.win && !this.win.isDestroyed()) this.win.destroy();
    this.win = null;
  }
}
