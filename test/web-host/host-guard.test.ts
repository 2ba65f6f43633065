// Web host lock-down beyond test/web-host/web-host.test.ts: constant-time token check, Host/Origin spoofing variants, WebSocket origins, and the /image route's confinement.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngineClient } from '../../src/engine/engine-client-node';
import type { ForkedEngineClient } from '../../src/engine/engine-client';
import { allowedHosts, checkRequest, readCookie, tokenMatches } from '../../src/web-host/host-guard';
import { requestUrl } from '../../src/web-host/web-host';
import { startWebHost, type WebHost } from '../../src/web-host/web-host';
import { REPO_ROOT } from '../support/shared-fixtures';
import { openWs, probe, WsCaller } from '../support/http-probe';
import { hashTree, makeFuzzSandbox, type FuzzSandbox } from '../support/fuzz-sandbox';
import { hostilePaths } from '../support/fuzz-requests';
import { SeededRng } from '../../src/engine/util/seeded-rng';

let s: FuzzSandbox;
let engine: ForkedEngineClient;
let host: WebHost;
let cookie: string;
let before: string;

beforeAll(async () => {
  s = await makeFuzzSandbox('webhost-guard-');
  // The dataset folder was opened before (as a scan records it); the engine reads the roots when it starts.
  writeFileSync(join(s.dataDir, 'allowed-roots.json'), JSON.stringify({ roots: [s.datasetDir], recent: [s.datasetDir] }));
  const renderer = join(s.base, 'renderer');
  writeFileSync(join(s.outsideDir, 'renderer-marker.txt'), 'x');
  await import('node:fs').then((fs) => fs.mkdirSync(renderer, { recursive: true }));
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>guard test</title>');
  engine = createNodeEngineClient({ dataDir: s.dataDir, from: import.meta.url });
  host = await startWebHost({ engine, port: 0, rendererDir: renderer });
  cookie = `multicrop_token_${host.port}=${host.token}`;
  before = hashTree(s.datasetDir) + hashTree(s.outsideDir);
});
afterAll(async () => {
  await host?.close();
  await engine?.dispose();
  s?.dispose();
});

describe('token comparison', () => {
  const src = readFileSync(join(REPO_ROOT, 'src/web-host/host-guard.ts'), 'utf8');
  it('compares with crypto.timingSafeEqual on equal-length buffers (SHA-256 digests of both sides)', () => {
    const body = /export function tokenMatches[\s\S]*?\n}\n/.exec(src)?.[0] ?? '';
    expect(body, 'tokenMatches not found in host-guard.ts').not.toBe('');
    expect(body).toMatch(/timingSafeEqual\(\s*a\s*,\s*b\s*\)/);
    expect(body).toMatch(/const a = createHash\('sha256'\)\.update\(expected\)\.digest\(\)/);
    expect(body).toMatch(/const b = createHash\('sha256'\)\.update\(given\)\.digest\(\)/);
    // no early-exit string comparison of the secret anywhere in the host
    for (const file of ['src/web-host/host-guard.ts', 'src/web-host/web-host.ts']) {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      expect(text, file).not.toMatch(/token\s*[!=]==?\s*\w|\w\s*[!=]==?\s*(opts\.)?token\b/);
    }
  });
  it('never throws on lengths timingSafeEqual would reject, and accepts only the exact token', () => {
    const t = 'ab'.repeat(32);
    expect(tokenMatches(t, t)).toBe(true);
    for (const wrong of [t.slice(0, -1), t + '0', t.toUpperCase(), ` ${t}`, t.slice(0, 32), 'a', '\u0000'.repeat(64), 'é'.repeat(64), 'x'.repeat(1025), 'x'.repeat(100_000)]) {
      expect(tokenMatches(t, wrong), JSON.stringify(wrong.slice(0, 20))).toBe(false);
    }
    expect(tokenMatches(t, null)).toBe(false);
    expect(tokenMatches(t, undefined)).toBe(false);
    expect(tokenMatches(t, '')).toBe(false);
  });
});

describe('malformed cookies and addresses', () => {
  it('readCookie and checkRequest never throw on bad percent escapes (any page on 127.0.0.1 can send such a cookie)', () => {
    const opts = { token: 't'.repeat(64), port: 4000, hosts: allowedHosts('127.0.0.1', 4000) };
    for (const v of ['%', '%zz', '%E0%A4%A', 'a%', '%%', '%u0041']) {
      expect(() => readCookie(`multicrop_token_4000=${v}`, 'multicrop_token_4000'), v).not.toThrow();
      expect(readCookie(`multicrop_token_4000=${v}`, 'multicrop_token_4000')).toBe(v);
      expect(checkRequest({ host: '127.0.0.1:4000', cookie: `multicrop_token_4000=${v}` }, null, opts)).toMatchObject({ ok: false, status: 401 });
    }
    expect(readCookie('multicrop_token_4000=%41', 'multicrop_token_4000')).toBe('A');
  });
  it('requestUrl answers null for request targets URL cannot parse', () => {
    expect(requestUrl('//')).toBeNull();
    expect(requestUrl('http://[')).toBeNull();
    expect(requestUrl('/ws?token=%')?.pathname).toBe('/ws');
  });
  it('the running host answers 401 to a % cookie and 400 to "//", then keeps serving', async () => {
    expect((await probe(host.port, '/', { Cookie: `multicrop_token_${host.port}=%` })).status).toBe(401);
    expect((await probe(host.port, '//', { Cookie: cookie })).status).toBe(400);
    expect((await openWs(host.port, { Origin: `http://127.0.0.1:${host.port}`, Cookie: `multicrop_token_${host.port}=%E0%A4%A` })).status).toBe(401);
    expect((await probe(host.port, '/', { Cookie: cookie })).status).toBe(200);
  });
});

describe('Host and Origin spoofing', () => {
  it('refuses look-alike Host headers with 403 even with the token', async () => {
    const p = host.port;
    for (const h of [
      `127.0.0.1.evil.example:${p}`,
      `evil.example`,
      `localhost.:${p}`,
      `127.0.0.2:${p}`,
      `0.0.0.0:${p}`,
      `127.0.0.1:${p}.evil.example`,
      `127.0.0.1:${p}@evil.example`,
      `127.0.0.1`,
      `[::ffff:127.0.0.1]:${p}`,
      `2130706433:${p}`,
      ``,
    ]) {
      expect((await probe(p, `/?token=${host.token}`, { Host: h })).status, `Host "${h}"`).toBe(403);
      expect((await probe(p, '/', { Host: h, Cookie: cookie })).status, `Host "${h}" with cookie`).toBe(403);
    }
    expect([400, 403], 'no Host header').toContain((await probe(p, '/', { Host: null, Cookie: cookie })).status);
    expect((await probe(p, '/', { Host: `LOCALHOST:${p}`, Cookie: cookie })).status, 'case-insensitive loopback name').toBe(200);
  });
  it('refuses foreign, https, port-less, opaque and path-carrying Origins with 403', async () => {
    const p = host.port;
    for (const o of [
      `https://127.0.0.1:${p}`,
      `http://127.0.0.1`,
      `http://127.0.0.1:${p + 1}`,
      `http://127.0.0.1:${p}.evil.example`,
      `http://evil.example:${p}`,
      `http://127.0.0.1:${p}/`,
      `file://`,
      `chrome-extension://abcdef`,
      `ws://127.0.0.1:${p}`,
      `null`,
      ``,
    ]) {
      expect((await probe(p, '/', { Origin: o, Cookie: cookie })).status, `Origin "${o}"`).toBe(403);
    }
    expect((await probe(p, '/', { Origin: `http://127.0.0.1:${p}`, Cookie: cookie })).status).toBe(200);
  });
  it('a cookie for another port, or a token in another parameter, is not the token', async () => {
    expect((await probe(host.port, '/', { Cookie: `multicrop_token_${host.port + 1}=${host.token}` })).status).toBe(401);
    expect((await probe(host.port, `/?tok=${host.token}`)).status).toBe(401);
    expect((await probe(host.port, `/?token=${host.token.toUpperCase()}`)).status).toBe(401);
    expect((await probe(host.port, '/', { Authorization: `Bearer ${host.token}` })).status).toBe(401);
  });
  it('refuses state-changing methods even with the token', async () => {
    for (const m of ['POST', 'PUT', 'DELETE', 'PATCH']) expect((await probe(host.port, '/', { Cookie: cookie }, m)).status, m).toBe(405);
    expect((await probe(host.port, '/', { Origin: 'http://evil.example' }, 'POST')).status).toBe(403);
  });
  it('checkRequest: a 0.0.0.0 bind answers to its interface addresses but still not to foreign names', () => {
    const hosts = allowedHosts('0.0.0.0', 4000);
    const opts = { token: 't'.repeat(64), port: 4000, hosts };
    expect(checkRequest({ host: '127.0.0.1:4000' }, 't'.repeat(64), opts).ok).toBe(true);
    expect(checkRequest({ host: 'evil.example:4000' }, 't'.repeat(64), opts)).toMatchObject({ ok: false, status: 403 });
    expect(checkRequest({ host: '127.0.0.1:4000', origin: 'http://evil.example:4000' }, 't'.repeat(64), opts)).toMatchObject({ ok: false, status: 403 });
  });
});

describe('WebSocket upgrades', () => {
  it('refuses upgrades from every foreign origin, with the cookie or the query token', async () => {
    const p = host.port;
    for (const o of [`http://evil.example`, `https://127.0.0.1:${p}`, `http://127.0.0.1:${p + 1}`, `http://localhost.evil.example:${p}`, 'null', 'file://']) {
      expect((await openWs(p, { Origin: o, Cookie: cookie })).status, `Origin ${o} with cookie`).toBe(403);
      expect((await openWs(p, { Origin: o }, `/ws?token=${host.token}`)).status, `Origin ${o} with query token`).toBe(403);
    }
    expect((await openWs(p, { Origin: `http://127.0.0.1:${p}`, Host: `evil.example:${p}`, Cookie: cookie })).status).toBe(403);
    expect((await openWs(p, { Origin: `http://127.0.0.1:${p}` }, `/ws?token=${'0'.repeat(64)}`)).status).toBe(401);
    expect((await openWs(p, { Origin: `http://127.0.0.1:${p}`, Cookie: cookie }, '/other')).status).toBe(403);
  });
  it('an oversized message closes only that socket; the host keeps serving new ones', async () => {
    const p = host.port;
    const a = await openWs(p, { Origin: `http://127.0.0.1:${p}`, Cookie: cookie });
    const caller = new WsCaller(a.ws!);
    const lost = await caller.call('app:info', { pad: 'x'.repeat(1_200_000) });
    expect(lost).toMatchObject({ closed: 1009 });
    const b = await openWs(p, { Origin: `http://127.0.0.1:${p}`, Cookie: cookie });
    const fresh = new WsCaller(b.ws!);
    expect(await fresh.call('app:info', {})).toMatchObject({ ok: true });
    fresh.close();
  });
});

describe('the /image route', () => {
  const get = (path: string, w?: number) => probe(host.port, `/image?path=${encodeURIComponent(path)}${w ? `&w=${w}` : ''}`, { Cookie: cookie });
  it('serves an image of the opened folder', async () => {
    const r = await get(s.datasetImage, 16);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^image\/(jpeg|png)$/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });
  it('refuses `..`, absolute paths outside, symlinks out (file and folder), and odd spellings', async () => {
    const refused: [string, number[]][] = [
      [`${s.datasetDir}/../outside/secret.png`, [403]],
      [`${s.datasetDir}/cats/../../outside/secret.png`, [403]],
      [s.outsideImage, [403]],
      [s.linkOut, [403]],
      [`${s.datasetDir}/dir-link-out/secret.png`, [403]],
      ['/etc/passwd', [403]],
      ['/proc/self/environ', [403]],
      ['cats/a.png', [403]],
      [`${s.datasetImage}\0.txt`, [403]],
      [`file://${s.datasetImage}`, [403]],
      ['', [403]],
      [s.missingInside, [404]],
    ];
    for (const [path, statuses] of refused) {
      const r = await get(path);
      expect(statuses, `${JSON.stringify(path)} -> ${r.status} ${r.body.toString().slice(0, 120)}`).toContain(r.status);
      expect(r.headers['content-type']).toMatch(/^text\/plain/);
    }
  });
  it('refuses non-image files inside the opened folder (415) and folders', async () => {
    expect((await get(s.datasetText)).status).toBe(415);
    expect((await get(join(s.datasetDir, 'cats'))).status).toBe(415);
    expect((await get(s.datasetDir + '/allowed-roots.json')).status).toBe(404);
  });
  it('refuses widths outside 1..4096', async () => {
    for (const w of ['0', '-5', '1.5', '99999', 'NaN', 'Infinity', '1e3x']) {
      const r = await probe(host.port, `/image?path=${encodeURIComponent(s.datasetImage)}&w=${w}`, { Cookie: cookie });
      expect(r.status, `w=${w}`).toBe(400);
    }
  });
  it('serves no byte from outside the opened folder for 400 seeded path spellings', async () => {
    const rng = new SeededRng(20261127, 0x1a9e);
    const paths = [...hostilePaths(s).filter((p) => !p.inside), { path: s.datasetImage }, { path: join(s.datasetDir, 'cats', 'b.jpg') }];
    const spell = (p: string): string => {
      switch (rng.int(6)) {
        case 0:
          return p;
        case 1:
          return p.replaceAll('/', '//');
        case 2:
          return `${s.datasetDir}/${'../'.repeat(1 + rng.int(6))}${p.replace(/^\/+/, '')}`;
        case 3:
          return `${s.datasetDir}/cats/./${p.split('/').slice(-2).join('/')}`;
        case 4:
          return p.normalize('NFD').replace(/\.png$/, '.PNG');
        default:
          return `${p}${pick(['/', '/.', '%00', '#', '?w=1', '\u0000'])}`;
      }
    };
    const pick = <T,>(xs: T[]): T => xs[rng.int(xs.length)]!;
    const statuses: Record<number, number> = {};
    for (let i = 0; i < 400; i++) {
      const path = spell(pick(paths).path);
      const r = await probe(host.port, `/image?path=${encodeURIComponent(path)}`, { Cookie: cookie });
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status === 200) {
        // only an image of the opened folder may come back: the outside image has the same pixels, so check where the path really leads
        const real = await import('node:fs/promises').then((fs) => fs.realpath(path).catch(() => ''));
        expect(real.startsWith(s.datasetDir + '/'), `${JSON.stringify(path)} was served from ${real}`).toBe(true);
      }
    }
    console.log(`image-route fuzz: 400 paths, statuses ${JSON.stringify(statuses)}`);
    expect(statuses[200], 'no spelling of an opened image was served (the check above would be vacuous)').toBeGreaterThan(0);
    expect(statuses[500]).toBeUndefined();
  });
  it('left every file in place', () => {
    expect(hashTree(s.datasetDir) + hashTree(s.outsideDir)).toBe(before);
  });
});
