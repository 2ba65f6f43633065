// Request checks of the web host: token (constant-time), cookie, and Host/Origin allow-lists against DNS rebinding.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 1024) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

export function cookieName(port: number): string {
  return `multicrop_token_${port}`;
}

/** The cookie's value, or null; never throws (a malformed escape such as `%` from any page on 127.0.0.1 is simply not the token). */
export function readCookie(header: string | undefined, name: string): string | null {
  if (typeof header !== 'string' || header.length === 0) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return null;
}

export function authCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** The Host header values this server answers to: loopback names and the bound address, at our port. */
export function allowedHosts(boundHost: string, port: number): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  const bracket = (h: string) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
  if (boundHost === '0.0.0.0' || boundHost === '::') {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(bracket(a.address));
  } else {
    names.add(bracket(boundHost));
  }
  return new Set([...names].map((n) => `${n.toLowerCase()}:${port}`));
}

export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

/** Host and Origin checks (403) then the token or cookie (401); `queryToken` is the ?token= value if any. */
export function checkRequest(
  headers: { host?: string; origin?: string; cookie?: string },
  queryToken: string | null,
  opts: { token: string; port: number; hosts: Set<string> },
): GuardVerdict {
  const host = (headers.host ?? '').toLowerCase();
  if (!opts.hosts.has(host)) {
    return { ok: false, status: 403, message: `Host "${headers.host ?? ''}" is not this server; open the URL printed by "multicrop serve"` };
  }
  if (headers.origin !== undefined) {
    const origin = headers.origin.toLowerCase();
    const ok = origin.startsWith('http://') && opts.hosts.has(origin.slice('http://'.length));
    if (!ok) return { ok: false, status: 403, message: `Origin "${headers.origin}" may not use this server` };
  }
  if (tokenMatches(opts.token, queryToken)) return { ok: true };
  if (tokenMatches(opts.token, readCookie(headers.cookie, cookieName(opts.port)))) return { ok: true };
  return { ok: false, status: 401, message: 'Missing or wrong token: open the full URL printed by "multicrop serve" (it ends in ?token=...)' };
}
