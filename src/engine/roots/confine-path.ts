// The one confinement rule for file access from the UI: an absolute path, no `..`, whose real path lies inside an allowed root.
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';

export type ConfineResult = { ok: true; realPath: string } | { ok: false; reason: string };

/** Reasons a path is refused before touching the file system. */
function lexicalRefusal(requested: string): string | null {
  if (typeof requested !== 'string' || requested.length === 0) return 'the path is empty';
  if (requested.length > 4096) return 'the path is longer than 4096 characters';
  if (requested.includes('\0')) return 'the path contains a NUL byte';
  if (!isAbsolute(requested)) return `"${requested}" is not an absolute path`;
  if (requested.split(/[\\/]+/).includes('..')) return `"${requested}" contains a ".." segment`;
  return null;
}

/** True when `real` equals `root` or lies below it (both already real paths). */
export function isInside(root: string, real: string): boolean {
  if (real === root) return true;
  const rel = relative(root, real);
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel);
}

function verdict(requested: string, real: string, roots: readonly string[]): ConfineResult {
  if (roots.some((root) => isInside(root, real))) return { ok: true, realPath: real };
  return {
    ok: false,
    reason: `"${requested}" is outside the folders you opened; open or scan its folder first`,
  };
}

/** Async form (image routes): resolves symlinks, so a link pointing out of a root is refused. */
export async function confinePath(requested: string, roots: readonly string[]): Promise<ConfineResult> {
  const lexical = lexicalRefusal(requested);
  if (lexical) return { ok: false, reason: lexical };
  let real: string;
  try {
    real = await realpath(requested);
  } catch {
    return { ok: false, reason: `"${requested}" does not exist or cannot be read` };
  }
  return verdict(requested, real, roots);
}

/** Sync form for HandlerContext.isAllowed. */
export function confinePathSync(requested: string, roots: readonly string[]): ConfineResult {
  const lexical = lexicalRefusal(requested);
  if (lexical) return { ok: false, reason: lexical };
  let real: string;
  try {
    real = realpathSync(requested);
  } catch {
    return { ok: false, reason: `"${requested}" does not exist or cannot be read` };
  }
  return verdict(requested, real, roots);
}
