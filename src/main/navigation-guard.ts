// Which URLs belong to our app (the only ones a window may show or a sender may call from); everything else is denied.

/** In development the renderer comes from the electron-vite dev server; when built, from file:// out/renderer/index.html. */
export interface AppOrigin {
  /** file:// URL of out/renderer/index.html (built), or null. */
  indexFileUrl: string | null;
  /** http://localhost:PORT of the dev server, or null. */
  devServerUrl: string | null;
}

/** True when `url` is our renderer page: same file, or same dev-server origin. */
export function isAppUrl(url: string, app: AppOrigin): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (app.indexFileUrl && parsed.protocol === 'file:') {
    const want = new URL(app.indexFileUrl);
    // The host must match too: file://server/share/... is a network (UNC) path on Windows.
    return parsed.host === want.host && parsed.pathname === want.pathname;
  }
  if (app.devServerUrl && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) {
    return parsed.origin === new URL(app.devServerUrl).origin;
  }
  return false;
}

/** Navigation away from the loaded page is never allowed (the app is a single page); reloads of the app itself are. */
export function isNavigationAllowed(targetUrl: string, app: AppOrigin): boolean {
  return isAppUrl(targetUrl, app);
}

/** window.open / target=_blank: always denied (the app opens no windows). */
export function windowOpenDecision(): { action: 'deny' } {
  return { action: 'deny' };
}

/** IPC sender validation: the calling frame must exist and show our renderer page. */
export function senderAllowed(event: { senderFrame: { url: string } | null }, app: AppOrigin): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  return isAppUrl(frame.url, app);
}
