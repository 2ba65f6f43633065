// Test support: a Content-Security-Policy string parsed into its directives.

/** Parse "a x y; b z" into {a: [x, y], b: [z]}. */
export function directives(csp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of csp.split(';').map((p) => p.trim()).filter(Boolean)) {
    const [name, ...values] = part.split(/\s+/);
    out[name!] = values;
  }
  return out;
}
