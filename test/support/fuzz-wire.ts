// Seeded malformed HTTP requests, WebSocket upgrades and raw WebSocket frames, sent over raw loopback sockets (what a hostile page or local process can put on the wire).
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { SeededRng } from '../../src/engine/util/seeded-rng';

/** Cookie values that break naive parsers: bad percent escapes, separators, huge or odd bytes. */
const COOKIE_VALUES = ['%', '%%', '%zz', '%E0%A4%A', '%C0%AF', '%00', '%FF%FE', '%u0041', 'a%', '"%"', '=', '==', ';', '%3B%', '\t%\t', 'é%', '\\x%25'];
const REQUEST_TARGETS = ['/', '//', '///x', '/%', '/%zz', '/%00', '/..%2f..%2fetc/passwd', '/image?path=%', '/image?path=%E0%A4%A&w=%', '/image?w=1e999', '/?token=%', '/?token=%zz&token=1', '/ws', '/ws?token=%', '//ws', '*', 'http://[', 'http://127.0.0.1:1/', '/\u00e9', '/a?b=%%', '/?' + '%'.repeat(2000), '/' + 'a'.repeat(9000)];
const METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS', 'CONNECT', 'TRACE', 'PRI', 'G ET', 'get', 'X'.repeat(40), ''];
const HEADER_NAMES = ['Cookie', 'Host', 'Origin', 'Upgrade', 'Connection', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Content-Length', 'Transfer-Encoding', 'X-Forwarded-For', 'Authorization', 'Range', 'Expect'];

export interface WireTarget {
  port: number;
  /** The valid cookie header value (so some requests reach the parts behind authentication). */
  cookie: string;
}

function pick<T>(rng: SeededRng, list: readonly T[]): T {
  return list[rng.int(list.length)]!;
}

function oddCookie(rng: SeededRng, t: WireTarget): string {
  const name = `multicrop_token_${t.port}`;
  const bad = pick(rng, COOKIE_VALUES);
  switch (rng.int(6)) {
    case 0:
      return `${name}=${bad}`;
    case 1:
      return `other=${bad}; ${name}=${bad}`;
    case 2:
      return `${bad}; ${name}=${bad}${bad}`;
    case 3:
      return `${t.cookie}; ${name}=${bad}`;
    case 4:
      return `${name}=${bad}; ${t.cookie}`;
    default:
      return Array.from({ length: 1 + rng.int(50) }, () => `${name}=${pick(rng, COOKIE_VALUES)}`).join(';');
  }
}

/** One malformed HTTP/1.1 request as raw bytes (request line, headers, maybe a body). */
export function malformedRequest(rng: SeededRng, t: WireTarget, upgrade: boolean): Buffer {
  const host = rng.next() < 0.85 ? `127.0.0.1:${t.port}` : pick(rng, ['', 'evil.example', `127.0.0.1:${t.port}%`, '%', `[::1]:${t.port}`, '[']);
  const lines: string[] = [];
  const method = upgrade ? 'GET' : pick(rng, METHODS);
  const target = upgrade ? pick(rng, ['/ws', '/ws?token=%', '/ws?token=%zz', '//ws', '/ws/%', '/', '//', '/ws?' + '%'.repeat(300)]) : pick(rng, REQUEST_TARGETS);
  lines.push(`${method} ${target} ${rng.next() < 0.9 ? 'HTTP/1.1' : pick(rng, ['HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', ''])}`);
  lines.push(`Host: ${host}`);
  if (rng.next() < 0.8) lines.push(`Cookie: ${oddCookie(rng, t)}`);
  if (rng.next() < 0.3) lines.push(`Cookie: ${oddCookie(rng, t)}`);
  if (rng.next() < 0.3) lines.push(`Origin: ${pick(rng, [`http://127.0.0.1:${t.port}`, '%', 'null', 'http://%zz', 'http://[', ''])}`);
  if (upgrade) {
    lines.push(`Upgrade: ${pick(rng, ['websocket', 'websocket', 'WebSocket', 'h2c', '%'])}`);
    lines.push(`Connection: ${pick(rng, ['Upgrade', 'Upgrade', 'keep-alive, Upgrade', 'close'])}`);
    lines.push(`Sec-WebSocket-Key: ${pick(rng, [randomBytes(16).toString('base64'), randomBytes(16).toString('base64'), '', '%', 'x'.repeat(100)])}`);
    lines.push(`Sec-WebSocket-Version: ${pick(rng, ['13', '13', '8', '', 'x'])}`);
  }
  const extra = rng.int(4);
  for (let i = 0; i < extra; i++) lines.push(`${pick(rng, HEADER_NAMES)}: ${pick(rng, ['%', '0', '-1', '99999999999999999999', 'chunked', 'chunked, chunked', 'bytes=0-', '100-continue', 'é'])}`);
  let body = '';
  if (!upgrade && rng.next() < 0.2) {
    body = randomBytes(rng.int(64)).toString('latin1');
    lines.push(`Content-Length: ${rng.next() < 0.5 ? body.length : rng.int(1000)}`);
  }
  lines.push('Connection: close');
  const text = lines.join('\r\n') + '\r\n\r\n' + body;
  // Now and then a raw byte soup instead of HTTP.
  if (rng.next() < 0.05) return randomBytes(1 + rng.int(200));
  return Buffer.from(text, 'latin1');
}

/** A raw WebSocket frame from a client: mostly broken (reserved bits, bad opcodes, lengths, no mask), some valid text frames of garbage. */
export function malformedFrame(rng: SeededRng): Buffer {
  const kind = rng.int(8);
  const payload = kind < 2 ? Buffer.from(pick(rng, ['{', 'null', '{"t":"call","id":1,"channel":"app:info","request":%}', '\u0000', '{"t":"call","id":-1,"channel":"train:stop","request":{"runId":"%"}}']), 'utf8') : randomBytes(rng.int(300));
  const fin = rng.next() < 0.8 ? 0x80 : 0;
  const rsv = kind === 2 ? 0x70 : 0;
  const opcode = kind === 3 ? pick(rng, [3, 4, 5, 6, 7, 0xb, 0xc, 0xf]) : kind === 4 ? 0 : kind === 5 ? pick(rng, [8, 9, 10]) : pick(rng, [1, 2]);
  const masked = kind !== 6;
  const header: number[] = [fin | rsv | opcode];
  const len = kind === 7 ? pick(rng, [126, 127]) : payload.length;
  if (len < 126) header.push((masked ? 0x80 : 0) | len);
  else if (len === 126 && payload.length < 65536 && kind !== 7) header.push((masked ? 0x80 : 0) | 126, payload.length >> 8, payload.length & 255);
  else header.push((masked ? 0x80 : 0) | 127, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1);
  const mask = masked ? randomBytes(4) : Buffer.alloc(0);
  const body = Buffer.from(payload);
  if (masked) for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
  // Invalid UTF-8 in a text frame now and then.
  if (opcode === 1 && rng.next() < 0.3) return Buffer.concat([Buffer.from(header), mask, Buffer.from([0xc3, 0x28, 0xff])]);
  return Buffer.concat([Buffer.from(header), mask, body]);
}

/** Send raw bytes on a fresh loopback connection and collect what comes back until the server closes it or `waitMs` passes. */
export function sendRaw(port: number, bytes: Buffer | Buffer[], waitMs = 3000): Promise<{ reply: string; error: string | null }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let error: string | null = null;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ reply: Buffer.concat(chunks).toString('latin1'), error });
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (e) => (error = e.message));
    socket.on('close', done);
    socket.on('connect', () => {
      for (const b of Array.isArray(bytes) ? bytes : [bytes]) socket.write(b);
      socket.end();
    });
  });
}

/** A valid WebSocket upgrade request with the cookie (the frames after it are the fuzz). */
export function validUpgrade(t: WireTarget): Buffer {
  return Buffer.from(
    [
      'GET /ws HTTP/1.1',
      `Host: 127.0.0.1:${t.port}`,
      `Origin: http://127.0.0.1:${t.port}`,
      `Cookie: ${t.cookie}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
    'latin1',
  );
}

/** Run `jobs` with at most `width` in flight. */
export async function inParallel<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}
