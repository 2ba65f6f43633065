// The Electron window's security: webPreferences, the CSP (header and the page's meta tag), denied navigation, window.open and foreign IPC senders.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BASE_CSP, ELECTRON_CSP, webCsp } from '../../src/shared/csp';
import { isNavigationAllowed, senderAllowed, windowOpenDecision, type AppOrigin } from '../../src/main/navigation-guard';
import { windowOptions } from '../../src/main/window-options';
import { REPO_ROOT } from '../support/shared-fixtures';
import { directives } from '../support/csp-directives';

const built: AppOrigin = { indexFileUrl: pathToFileURL('/opt/multicrop/out/renderer/index.html').href, devServerUrl: null };
const dev: AppOrigin = { indexFileUrl: null, devServerUrl: 'http://localhost:5173/' };

describe('window options', () => {
  const opts = windowOptions('/opt/multicrop/out/preload/index.cjs');
  it('isolates and sandboxes the renderer', () => {
    const wp = opts.webPreferences!;
    expect(wp.contextIsolation).toBe(true);
    expect(wp.sandbox).toBe(true);
    expect(wp.nodeIntegration).toBe(false);
    expect(wp.nodeIntegrationInWorker).toBe(false);
    expect(wp.nodeIntegrationInSubFrames).toBe(false);
    expect(wp.webSecurity).toBe(true);
    expect(wp.allowRunningInsecureContent).toBe(false);
    expect(wp.webviewTag).toBe(false);
    expect(wp.preload).toBe('/opt/multicrop/out/preload/index.cjs');
  });
});

describe('content security policy', () => {
  it('allows scripts, connections and images only from the app (and the confined image protocol)', () => {
    const d = directives(ELECTRON_CSP);
    expect(d['default-src']).toEqual(["'self'"]);
    expect(d['script-src']).toEqual(["'self'"]);
    expect(d['connect-src']).toEqual(["'self'"]);
    expect(d['img-src']).toEqual(["'self'", 'data:', 'blob:', 'studio-image:']);
    expect(d['object-src']).toEqual(["'none'"]);
    expect(ELECTRON_CSP).not.toContain('unsafe-eval');
    expect(d['script-src']).not.toContain("'unsafe-inline'");
  });
  it('web mode adds only its own WebSocket', () => {
    const d = directives(webCsp('127.0.0.1:4000'));
    expect(d['connect-src']).toEqual(["'self'", 'ws://127.0.0.1:4000']);
    expect(d['script-src']).toEqual(["'self'"]);
    expect(d['frame-ancestors']).toEqual(["'none'"]);
  });
  it('the renderer page carries the same policy in its meta tag', () => {
    const html = readFileSync(join(REPO_ROOT, 'src/renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta, 'index.html must have a CSP meta tag').not.toBeNull();
    expect(directives(meta![1]!)).toEqual(directives(BASE_CSP));
  });
});

describe('navigation and new windows', () => {
  it('allows only the app page itself', () => {
    expect(isNavigationAllowed(built.indexFileUrl!, built)).toBe(true);
    expect(isNavigationAllowed(built.indexFileUrl + '#/runs', built)).toBe(true);
    expect(isNavigationAllowed('https://example.com/', built)).toBe(false);
    expect(isNavigationAllowed('file:///etc/passwd', built)).toBe(false);
    expect(isNavigationAllowed('file:///opt/multicrop/out/renderer/other.html', built)).toBe(false);
    expect(isNavigationAllowed('javascript:alert(1)', built)).toBe(false);
    expect(isNavigationAllowed('not a url', built)).toBe(false);
    expect(isNavigationAllowed('http://localhost:5173/anything', dev)).toBe(true);
    expect(isNavigationAllowed('http://localhost:5174/', dev)).toBe(false);
    expect(isNavigationAllowed('http://evil.localhost:5173/', dev)).toBe(false);
  });
  it('denies every window.open', () => {
    expect(windowOpenDecision()).toEqual({ action: 'deny' });
  });
  it('accepts IPC only from a frame showing the app', () => {
    expect(senderAllowed({ senderFrame: { url: built.indexFileUrl! } }, built)).toBe(true);
    expect(senderAllowed({ senderFrame: { url: 'https://example.com/' } }, built)).toBe(false);
    expect(senderAllowed({ senderFrame: { url: 'data:text/html,hi' } }, built)).toBe(false);
    expect(senderAllowed({ senderFrame: null }, built)).toBe(false);
  });
});
