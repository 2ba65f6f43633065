// Electron main process: one sandboxed window, security policy, IPC wiring to the engine, the image protocol. No heavy work here.
import { app, BrowserWindow, dialog, session, shell } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHANNELS, MAIN_ONLY_CHANNELS, parseRequest, type Envelope } from '../shared/ipc-contract';
import { resolveDataDir } from '../engine/roots/data-dir';
import { ELECTRON_CSP } from '../shared/csp';
import { isExternalLinkAllowed } from './external-links';
import type { EngineClient } from '../engine/engine-client';
import { createElectronEngineClient } from './electron-engine';
import { handleImageProtocol, registerImageScheme } from './image-protocol';
import { EVENT_IPC_CHANNEL } from './ipc-events';
import { isNavigationAllowed, windowOpenDecision, type AppOrigin } from './navigation-guard';
import { saveExport } from './save-export';
import { handleChannel } from './typed-ipc';
import { windowOptions } from './window-options';
import { ComputeWindow } from './compute-window';
import { webGpuSwitches } from './compute-window-options';

const here = dirname(fileURLToPath(import.meta.url));
const rendererIndex = join(here, '../renderer/index.html');
/** resources/ at the repository root (out/main/../../resources). */
const appIcon = join(here, '../../resources/icon.png');
const devServerUrl = !app.isPackaged ? (process.env.ELECTRON_RENDERER_URL ?? null) : null;
const appOrigin: AppOrigin = { indexFileUrl: devServerUrl ? null : pathToFileURL(rendererIndex).href, devServerUrl };

registerImageScheme();
// WebGPU for the compute window (before 'ready': Chromium reads its switches at start).
for (const [name, value] of webGpuSwitches(process.platform)) app.commandLine.appendSwitch(name, value);

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(({ url }) => {
    // No window ever opens; an allowlisted https link goes to the system browser instead.
    if (isExternalLinkAllowed(url)) void shell.openExternal(url);
    return windowOpenDecision();
  });
  contents.on('will-navigate', (event, url) => {
    if (!isNavigationAllowed(url, appOrigin)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isNavigationAllowed(url, appOrigin)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

/** The native folder dialog; the folder the person chose there is opened in the engine (listed on the Dataset screen). */
async function pickFolder(win: BrowserWindow | null, engine: EngineClient, request: unknown): Promise<Envelope<string | null>> {
  const parsed = parseRequest('dataset:pickFolder', request);
  if (!parsed.ok) return parsed;
  const options = { title: 'Open an image folder', properties: ['openDirectory' as const] };
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  if (r.canceled || r.filePaths.length === 0) return { ok: true, value: null };
  const chosen = r.filePaths[0]!;
  const opened = await engine.call('folders:open', { path: chosen });
  return opened.ok ? { ok: true, value: chosen } : opened;
}

async function start(): Promise<void> {
  app.setAboutPanelOptions({
    applicationName: 'Multicrop Studio',
    applicationVersion: app.getVersion(),
    copyright: 'Self-supervised DINO training of vision transformers with multi-crop augmentation',
    iconPath: appIcon,
  });
  const dataDir = resolveDataDir(process.env, app.getPath('userData'));
  const engine = createElectronEngineClient(dataDir);
  // Runs on webgpu (or auto) train in a hidden compute window: Dawn's Node addon cannot load in Electron's engine process.
  const compute = new ComputeWindow(engine, here);
  engine.computeOpen = () => void compute.connect();

  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_CSP] } });
  });
  handleImageProtocol(engine);

  let win: BrowserWindow | null = null;
  for (const channel of CHANNELS) {
    if (channel === 'dataset:pickFolder') handleChannel(channel, appOrigin, (req) => pickFolder(win, engine, req));
    else if (channel === 'export:save') handleChannel(channel, appOrigin, (req) => saveExport(win, engine, req));
    else if ((MAIN_ONLY_CHANNELS as readonly string[]).includes(channel)) throw new Error(`main-only channel ${channel} has no handler in the main process`);
    else handleChannel(channel, appOrigin, (req) => engine.callRaw(channel, req));
  }

  win = new BrowserWindow(windowOptions(join(here, '../preload/index.cjs'), appIcon));
  const events = engine.onEvent((event, payload) => {
    if (win && !win.isDestroyed()) win.webContents.send(EVENT_IPC_CHANNEL, { event, payload });
  });
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => {
    events();
    win = null;
    // The hidden compute window would otherwise keep the app from quitting (window-all-closed).
    compute.close();
  });
  if (devServerUrl) await win.loadURL(devServerUrl);
  else await win.loadFile(rendererIndex);

  app.on('window-all-closed', () => {
    void engine.dispose().finally(() => app.quit());
  });
}

app.whenReady().then(start, (e: unknown) => {
  dialog.showErrorBox('Multicrop Studio could not start', (e as Error).message);
  app.quit();
});
