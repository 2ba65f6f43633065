// Deep plain copies of reactive state: what crosses the API and goes into chart.js is never a Vue proxy.

/**
 * A deep copy made of plain objects, arrays and primitives (no proxies, no shared references).
 * It reads through reactive proxies on purpose, so a computed or watcher calling it tracks every field it copies.
 */
export function plain<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return Array.from(value, (v) => plain(v)) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value as object)) out[k] = plain((value as Record<string, unknown>)[k]);
  return out as T;
}
