// Raw HTTP and WebSocket probes of a running web host with arbitrary Host/Origin/Cookie headers (what a hostile page or rebinding attack sends).
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** GET (or `method`) `path` on 127.0.0.1:port; `headers.Host` defaults to 127.0.0.1:port, `null` omits it. */
export function probe(port: number, path: string, headers: Record<string, string | null> = {}, method = 'GET'): Promise<Reply> {
  const h: Record<string, string> = {};
  const merged = { Host: `127.0.0.1:${port}`, ...headers };
  for (const [k, v] of Object.entries(merged)) if (v !== null) h[k] = v;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers: h, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Try a WebSocket upgrade; resolves with the open socket or the refusal status (-1: connection error). */
export function openWs(port: number, headers: Record<string, string>, pathAndQuery = '/ws'): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${pathAndQuery}`, { headers: { Host: `127.0.0.1:${port}`, ...headers } });
    ws.on('open', () => resolve({ ws }));
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode });
      res.resume();
    });
    ws.on('error', () => resolve({ status: -1 }));
  });
}

/** A WebSocket client that numbers its calls and resolves each with its envelope. */
export class WsCaller {
  private next = 1;
  private readonly waiting = new Map<number, (envelope: unknown) => void>();
  readonly events: { event: string; payload: unknown }[] = [];
  stray: unknown[] = [];
  closed: { code: number } | null = null;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { t: string; id?: number; envelope?: unknown; event?: string; payload?: unknown };
      if (m.t === 'event') {
        this.events.push({ event: m.event!, payload: m.payload });
        return;
      }
      const w = this.waiting.get(m.id!);
      if (w) {
        this.waiting.delete(m.id!);
        w(m.envelope);
      } else this.stray.push(m);
    });
    ws.on('close', (code) => {
      this.closed = { code };
      for (const [id, w] of this.waiting) {
        this.waiting.delete(id);
        w({ closed: code });
      }
    });
  }

  call(channel: string, request: unknown): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      const text = JSON.stringify({ t: 'call', id, channel, request });
      this.ws.send(text === undefined ? '{}' : text);
    });
  }

  close(): void {
    this.ws.close();
  }
}
