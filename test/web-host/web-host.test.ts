// The web host refuses a missing or wrong token (401) and a foreign Host or Origin (403), for HTTP and the WebSocket upgrade, and serves with the token.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createNodeEngineClient } from '../../src/engine/engine-client-node';
import type { ForkedEngineClient } from '../../src/engine/engine-client';
import { startWebHost, type WebHost } from '../../src/web-host/web-host';

let base: string;
let engine: ForkedEngineClient;
let host: WebHost;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}
function get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: host.port, path, headers: { Host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}
const cookie = () => `multicrop_token_${host.port}=${host.token}`;

/** Open a WebSocket; resolves with the socket when open or the refusal status. */
function openWs(headers: Record<string, string>, query = ''): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws${query}`, { headers: { Host: `127.0.0.1:${host.port}`, ...headers } });
    ws.on('open', () => resolve({ ws }));
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    ws.on('error', () => resolve({ status: -1 }));
  });
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'webhost-'));
  const renderer = join(base, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>studio test page</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(base, 'secret.txt'), 'secret');
  engine = createNodeEngineClient({ dataDir: join(base, 'data'), from: import.meta.url });
  host = await startWebHost({ engine, port: 0, rendererDir: renderer });
});
afterAll(async () => {
  await host?.close();
  await engine?.dispose();
  rmSync(base, { recursive: true, force: true });
});

describe('HTTP', () => {
  it('prints a 127.0.0.1 URL with a 32-byte hex token', () => {
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=[0-9a-f]{64}$`));
  });
  it('answers 401 without a token or with a wrong one', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/assets/app.js')).status).toBe(401);
    expect((await get('/?token=' + 'f'.repeat(64))).status).toBe(401);
    expect((await get('/?token=')).status).toBe(401);
    expect((await get('/', { Cookie: `multicrop_token_${host.port}=wrong` })).status).toBe(401);
    expect((await get(`/image?path=${encodeURIComponent('/etc/passwd')}`)).status).toBe(401);
  });
  it('the right token sets an HttpOnly SameSite=Strict cookie and redirects away from the token', async () => {
    const r = await get(`/?token=${host.token}`);
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('/');
    const set = String(r.headers['set-cookie']);
    expect(set).toContain(cookie());
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
  });
  it('serves the renderer with the cookie, with the CSP, and nothing outside the renderer folder', async () => {
    const r = await get('/', { Cookie: cookie() });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toContain('studio test page');
    expect(String(r.headers['content-security-policy'])).toContain(`ws://127.0.0.1:${host.port}`);
    expect((await get('/assets/app.js', { Cookie: cookie() })).status).toBe(200);
    expect((await get('/../secret.txt', { Cookie: cookie() })).status).toBe(404);
    expect((await get('/%2e%2e/secret.txt', { Cookie: cookie() })).status).toBe(404);
    expect((await get('/%E0%A4%A', { Cookie: cookie() })).status).toBe(400);
  });
  it('refuses a foreign Host header (DNS rebinding) and a foreign Origin with 403, even with the token', async () => {
    expect((await get('/', { Host: `evil.example:${host.port}`, Cookie: cookie() })).status).toBe(403);
    expect((await get(`/?token=${host.token}`, { Host: 'evil.example' })).status).toBe(403);
    expect((await get('/', { Host: `127.0.0.1:${host.port + 1}`, Cookie: cookie() })).status).toBe(403);
    expect((await get('/', { Origin: 'http://evil.example', Cookie: cookie() })).status).toBe(403);
    expect((await get('/', { Origin: 'null', Cookie: cookie() })).status).toBe(403);
    expect((await get('/', { Origin: `http://localhost:${host.port}`, Host: `localhost:${host.port}`, Cookie: cookie() })).status).toBe(200);
  });
  it('serves images only under opened folders', async () => {
    const sub = join(base, 'opened');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'a.png'), await sharp({ create: { width: 32, height: 16, channels: 3, background: '#08f' } }).png().toBuffer());
    const url = `/image?path=${encodeURIComponent(join(sub, 'a.png'))}&w=8`;
    expect((await get(url, { Cookie: cookie() })).status).toBe(403);
    // the folder becomes an allowed root (as a scan would record it); a restarted engine reads the persisted roots
    const dispatcherRoots = join(base, 'data', 'allowed-roots.json');
    writeFileSync(dispatcherRoots, JSON.stringify({ roots: [sub], recent: [sub] }));
    engine.killEngine();
    const ok = await get(url, { Cookie: cookie() });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('image/jpeg'); // opaque images are sent as JPEG
    expect((await sharp(ok.body).metadata()).width).toBe(8);
    expect((await get(`/image?path=${encodeURIComponent(join(base, 'secret.txt'))}`, { Cookie: cookie() })).status).toBe(403);
    expect((await get(`/image?path=${encodeURIComponent(sub + '/../secret.txt')}`, { Cookie: cookie() })).status).toBe(403);
  });
});

describe('WebSocket', () => {
  it('refuses the upgrade without the token (401) and from a foreign Origin or Host (403)', async () => {
    expect((await openWs({})).status).toBe(401);
    expect((await openWs({ Cookie: `multicrop_token_${host.port}=nope` })).status).toBe(401);
    expect((await openWs({ Cookie: cookie(), Origin: 'http://evil.example' })).status).toBe(403);
    expect((await openWs({ Cookie: cookie(), Host: `attacker.test:${host.port}` })).status).toBe(403);
  });
  it('carries the contract with the cookie: calls, malformed calls and unknown channels answer with envelopes', async () => {
    const { ws } = await openWs({ Cookie: cookie(), Origin: `http://127.0.0.1:${host.port}` });
    expect(ws).toBeDefined();
    const replies: Record<number, { ok: boolean; error?: { code: string } }> = {};
    const done = new Promise<void>((resolve) => {
      ws!.on('message', (data) => {
        const m = JSON.parse(data.toString()) as { t: string; id: number; envelope: { ok: boolean; error?: { code: string } } };
        if (m.t === 'result') replies[m.id] = m.envelope;
        if (Object.keys(replies).length === 4) resolve();
      });
    });
    ws!.send(JSON.stringify({ t: 'call', id: 1, channel: 'app:info', request: {} }));
    ws!.send(JSON.stringify({ t: 'call', id: 2, channel: 'fs:listDir', request: { path: 5 } }));
    ws!.send(JSON.stringify({ t: 'call', id: 3, channel: 'shell:exec', request: {} }));
    ws!.send('not json');
    await done;
    ws!.close();
    expect(replies[1]!.ok).toBe(true);
    expect(replies[2]!.error?.code).toBe('invalid_request');
    expect(replies[3]!.error?.code).toBe('invalid_request');
    expect(replies[-1]!.error?.code).toBe('invalid_request');
  });
});
