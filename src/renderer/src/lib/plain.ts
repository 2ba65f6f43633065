// Deep plain copies of reactive state: what crosses the API and goes into chart.js is never a Vue proxy.
import { isProxy, toRaw } from 'vue';

/** A deep copy made of plain objects, arrays and primitives (no proxies, no shared references). */
export function plain<T>(value: T): T {
  const raw = isProxy(value) ? toRaw(value) : value;
  if (raw === null || typeof raw !== 'object') return raw;
  if (Array.isArray(raw)) return raw.map((v) => plain(v)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) out[k] = plain(v);
  return out as T;
}
