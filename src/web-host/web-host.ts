// The web host: serves the renderer build to a browser tab and carries the IPC contract over a token-guarded WebSocket.
import { createReadStream, existsSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { DOWNLOAD_PATH, IMAGE_PATH, parseWsCall, WS_MAX_PAYLOAD, WS_PATH, type WsServerMessage } from '../shared/ws-protocol';
import type { EngineClient } from '../engine/engine-client';
import { isInside } from '../engine/roots/confine-path';
import { EXPORT_FILE_NAME, EXPORTS_DIR } from '../engine/io/run-export';
import { webCsp } from '../shared/csp';
import { allowedHosts, authCookie, checkRequest, newToken } from './host-guard';

export interface WebHostOptions {
  engine: EngineClient;
  host?: string;
  port?: number;
  /** Folder with the built renderer (index.html); defaults to out/renderer beside the built main. */
  rendererDir?: string;
  token?: string;
  /** The engine's runs folder: GET /download serves files from <runsDir>/<run>/exports/ only. */
  runsDir?: string;
}

export interface WebHost {
  url: string;
  host: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** out/renderer relative to a module in out/main (or out/main/chunks); the repository's out/renderer from source. */
export function defaultRendererDir(here: string = import.meta.url): string {
  const file = fileURLToPath(here);
  let dir = dirname(file);
  if (file.endsWith('.ts')) {
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    return join(dir, 'out/renderer');
  }
  if (basename(dir) === 'chunks') dir = dirname(dir);
  return resolve(dir, '../renderer');
}

/** The request's address, or null when it cannot be parsed (`//`, `http://[`): never a throw. */
export function requestUrl(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://placeholder');
  } catch {
    return null;
  }
}

/** Answer a request whose handling threw: 500 if nothing was sent yet, else drop the connection. */
function failRequest(res: ServerResponse, e: unknown): void {
  try {
    if (!res.headersSent) send(res, 500, `Internal error: ${(e as Error)?.message ?? String(e)}`);
    else res.destroy();
  } catch {
    res.destroy();
  }
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const bindHost = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const rendererDir = resolve(opts.rendererDir ?? defaultRendererDir());
  const engine = opts.engine;
  let port = 0;
  let hosts = new Set<string>();

  const security = (host: string): Record<string, string> => ({
    'Content-Security-Policy': webCsp(host),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  });

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      send(res, 400, `Malformed path: ${pathname.slice(0, 200)}`);
      return;
    }
    const rel = pathname === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    const wanted = resolve(rendererDir, rel);
    let real: string;
    try {
      real = await realpath(wanted);
      const root = await realpath(rendererDir);
      if (!isInside(root, real) || !(await stat(real)).isFile()) throw new Error('outside');
    } catch {
      if (!existsSync(join(rendererDir, 'index.html'))) {
        send(res, 503, `The renderer build is missing in ${rendererDir}; run "npm run build" first.`);
      } else {
        send(res, 404, `Not found: ${pathname}`);
      }
      return;
    }
    const type = MIME[extname(real).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, {
      'Content-Type': type,
      'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'max-age=3600',
      ...security(req.headers.host ?? ''),
    });
    createReadStream(real).pipe(res);
  }

  async function serveImage(res: ServerResponse, url: URL): Promise<void> {
    const path = url.searchParams.get('path') ?? '';
    const w = url.searchParams.get('w');
    const width = w === null ? undefined : Number(w);
    const reply = await engine.image(path, width);
    if (!reply.ok) {
      send(res, reply.status, reply.message);
      return;
    }
    res.writeHead(200, { 'Content-Type': reply.mime, 'Cache-Control': 'private, max-age=600', 'X-Content-Type-Options': 'nosniff' });
    res.end(Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength));
  }

  /** An export of a run as an attachment: the run id and file name are checked by pattern, the real path must lie in that run's exports/. */
  async function serveDownload(res: ServerResponse, url: URL): Promise<void> {
    const run = url.searchParams.get('run') ?? '';
    const file = url.searchParams.get('file') ?? '';
    if (!opts.runsDir) {
      send(res, 404, 'Downloads are not available from this host (it was started without a runs folder)');
      return;
    }
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(run) || run === '.' || run === '..' || !EXPORT_FILE_NAME.test(file)) {
      send(res, 400, `Bad download request: run "${run.slice(0, 100)}" / file "${file.slice(0, 100)}"; export the run again from the Runs screen`);
      return;
    }
    const dir = join(resolve(opts.runsDir), run, EXPORTS_DIR);
    let real: string;
    let size: number;
    try {
      real = await realpath(join(dir, file));
      const st = await stat(real);
      if (!isInside(await realpath(dir), real) || !st.isFile()) throw new Error('outside');
      size = st.size;
    } catch {
      send(res, 404, `No export ${file} in run ${run}; export it again from the Runs screen`);
      return;
    }
    res.writeHead(200, {
      'Content-Type': file.endsWith('.sh') ? 'text/x-shellscript' : 'application/octet-stream',
      'Content-Length': String(size),
      'Content-Disposition': `attachment; filename="${file}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    createReadStream(real).pipe(res);
  }

  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = requestUrl(req.url);
    if (!url) {
      send(res, 400, 'Malformed request address');
      return;
    }
    const queryToken = url.searchParams.get('token');
    const verdict = checkRequest(req.headers, queryToken, { token, port, hosts });
    if (!verdict.ok) {
      send(res, verdict.status, verdict.message);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, `${req.method} is not supported; the app talks over its WebSocket`, { Allow: 'GET, HEAD' });
      return;
    }
    if (queryToken !== null) {
      // First visit with the token: remember it in an HttpOnly cookie and drop it from the address bar.
      url.searchParams.delete('token');
      const rest = url.searchParams.toString();
      res.writeHead(302, { 'Set-Cookie': authCookie(port, token), Location: url.pathname + (rest ? `?${rest}` : ''), 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    const task =
      url.pathname === IMAGE_PATH ? serveImage(res, url) : url.pathname === DOWNLOAD_PATH ? serveDownload(res, url) : serveStatic(req, res, url.pathname);
    task.catch((e: unknown) => failRequest(res, e));
  }

  const server = createServer((req, res) => {
    // Nothing a client sends may take the host (and a training run in its engine) down: a throw here answers 400/500 instead.
    try {
      handleRequest(req, res);
    } catch (e) {
      failRequest(res, e);
    }
  });
  // A socket reset mid-response is the client's business, not an uncaught error.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  const clients = new Set<WebSocket>();
  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = requestUrl(req.url);
    const verdict = !url
      ? ({ ok: false, status: 403, message: 'malformed request address' } as const)
      : url.pathname !== WS_PATH
        ? ({ ok: false, status: 403, message: 'not the WebSocket path' } as const)
        : checkRequest(req.headers, url.searchParams.get('token'), { token, port, hosts });
    if (!verdict.ok) {
      const text = verdict.status === 401 ? 'Unauthorized' : 'Forbidden';
      socket.end(`HTTP/1.1 ${verdict.status} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${verdict.message}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      // ws closes the socket itself on a protocol error (1009 for an oversized message); without a listener the error would crash the host.
      ws.on('error', () => clients.delete(ws));
      ws.on('message', (data, isBinary) => {
        try {
          onMessage(ws, data, isBinary);
        } catch {
          ws.terminate();
        }
      });
    });
  }

  function onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    const call = parseWsCall(data.toString());
    if (!call) {
      ws.send(JSON.stringify({ t: 'result', id: -1, envelope: { ok: false, error: { code: 'invalid_request', message: 'malformed message: expected {t:"call", id, channel, request}' } } }));
      return;
    }
    void engine
      .callRaw(call.channel, call.request)
      .then((envelope) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'result', id: call.id, envelope } satisfies WsServerMessage));
      })
      .catch(() => ws.terminate());
  }

  server.on('upgrade', (req, socket, head) => {
    // A reset socket must not surface as an uncaught 'error'; a throw while upgrading drops only this socket.
    socket.on('error', () => socket.destroy());
    try {
      handleUpgrade(req, socket, head);
    } catch {
      socket.destroy();
    }
  });

  const unsubscribe = engine.onEvent((event, payload) => {
    const text = JSON.stringify({ t: 'event', event, payload } satisfies WsServerMessage);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, bindHost, () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(bindHost, port);
  const shownHost = bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost.includes(':') ? `[${bindHost}]` : bindHost;

  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    host: bindHost,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
