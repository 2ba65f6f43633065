// The Content-Security-Policy of the renderer (Electron header + meta, and the web host with its WebSocket).
export const BASE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: studio-image:; connect-src 'self'";

/** Web mode: the page also talks to ws://<host> (its own WebSocket). */
export function webCsp(host: string): string {
  return BASE_CSP.replace("connect-src 'self'", `connect-src 'self' ws://${host}`) + "; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
}

/** Electron: no frames, plugins or base-URI changes either. */
export const ELECTRON_CSP = BASE_CSP + "; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
