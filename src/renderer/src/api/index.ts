// The renderer's transport: window.studio (preload) in Electron, else a WebSocket client implementing the same StudioApi.
import type { StudioApi } from '../../../shared/ipc-contract';
import { createStudioApi } from '../../../shared/studio-api-factory';
import { createWsTransport } from './ws-transport';

declare global {
  interface Window {
    studio?: StudioApi;
  }
}

let web: StudioApi | null = null;

/** The one StudioApi of this page. */
export function getStudio(): StudioApi {
  if (window.studio) return window.studio;
  web ??= createStudioApi(createWsTransport());
  return web;
}

/** 'electron' inside the desktop window, 'web' in a browser tab. */
export function transportMode(): 'electron' | 'web' {
  return window.studio ? 'electron' : 'web';
}
