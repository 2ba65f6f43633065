// Scans a dataset folder: ImageFolder (class subfolders) or flat/nested, recursive, symlinks once, every bad file listed.
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { ImageEntry, ScanResult, SkippedFile } from '../../shared/ipc-contract';
import { probeImage } from './probe-image';
import { isInside } from '../roots/confine-path';

export interface ScanOptions {
  maxPixels?: number;
  /** Called at most every `progressMs` with files found and files checked. */
  onProgress?: (done: number, total: number | null) => void;
  progressMs?: number;
  /** Files probed at once. */
  concurrency?: number;
  /** Aborting stops the scan at the next file with a ScanCancelledError. */
  signal?: AbortSignal;
}

/** The person cancelled the scan (ScanOptions.signal): nothing of it is used. */
export class ScanCancelledError extends Error {
  override name = 'ScanCancelledError';
  constructor(
    readonly root: string,
    readonly filesSeen: number,
  ) {
    super(`the scan of ${root} was cancelled after ${filesSeen} files`);
  }
}

interface FileRef {
  path: string; // as found under the root (the link's path for symlinks)
  rel: string;
  size: number;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Walk `root`. Hidden names (leading '.') are ignored. A symlink is followed once: to a file inside the root it is
 * used, to a directory inside the root it is entered unless that directory is already being walked (then it is
 * skipped as 'symlink loop'), and a link whose target is outside the root is skipped as 'outside folder'.
 */
async function walk(root: string, skipped: SkippedFile[], onFound: () => void): Promise<FileRef[]> {
  const files: FileRef[] = [];
  const realRoot = await realpath(root);
  const visit = async (dir: string, realDir: string, ancestors: Set<string>): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      skipped.push({ path: dir, reason: 'unreadable', detail: e instanceof Error ? e.message : String(e) });
      return;
    }
    entries.sort((a, b) => compare(a.name, b.name));
    // Resolve every entry of this folder concurrently (links, sizes), then recurse in name order.
    const resolved = await Promise.all(
      entries
        .filter((ent) => !ent.name.startsWith('.'))
        .map(async (ent): Promise<{ p: string; real: string; kind: 'dir' | 'file' | 'skip'; size: number }> => {
          const p = join(dir, ent.name);
          let real = join(realDir, ent.name);
          let isDir = ent.isDirectory();
          let isFile = ent.isFile();
          const skip = (reason: SkippedFile['reason'], detail: string) => {
            skipped.push({ path: p, reason, detail });
            return { p, real, kind: 'skip' as const, size: 0 };
          };
          if (ent.isSymbolicLink()) {
            try {
              real = await realpath(p);
            } catch (e) {
              const code = (e as NodeJS.ErrnoException).code;
              return skip(code === 'ELOOP' ? 'symlink loop' : 'unreadable', e instanceof Error ? e.message : String(e));
            }
            if (!isInside(realRoot, real)) return skip('outside folder', `the link points to ${real}, outside ${root}`);
            try {
              const st = await stat(p);
              isDir = st.isDirectory();
              isFile = st.isFile();
            } catch (e) {
              return skip('unreadable', e instanceof Error ? e.message : String(e));
            }
            if (isDir && (ancestors.has(real) || real === realRoot)) return skip('symlink loop', `the link leads back to ${real}`);
          }
          if (isDir) return { p, real, kind: 'dir', size: 0 };
          if (!isFile) return skip('unreadable', 'not a regular file (FIFO, socket or device)');
          try {
            return { p, real, kind: 'file', size: (await lstat(real)).size };
          } catch (e) {
            return skip('unreadable', e instanceof Error ? e.message : String(e));
          }
        }),
    );
    for (const r of resolved) {
      if (r.kind === 'dir') {
        const next = new Set(ancestors);
        next.add(r.real);
        await visit(r.p, r.real, next);
      } else if (r.kind === 'file') {
        files.push({ path: r.p, rel: relative(root, r.p), size: r.size });
        onFound();
      }
    }
  };
  await visit(root, realRoot, new Set([realRoot]));
  return files;
}

/**
 * Scan a dataset folder. Layout: 'imagefolder' when the root holds subfolders and no image files of its own (the
 * first path component is the label, as torchvision's ImageFolder), else 'flat' (labels null). Never throws for a
 * bad file; throws only when the root itself cannot be read.
 */
export async function scanDataset(rootIn: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const t0 = performance.now();
  const root = resolve(rootIn);
  const maxPixels = opts.maxPixels ?? 100_000_000;
  const progressMs = opts.progressMs ?? 100;
  const skipped: SkippedFile[] = [];
  let found = 0;
  let done = 0;
  let lastEmit = 0;
  const report = (force = false) => {
    const now = performance.now();
    if (opts.onProgress && (force || now - lastEmit >= progressMs)) {
      lastEmit = now;
      // While walking: files found so far, total unknown; then: files checked of the total found.
      if (walking) opts.onProgress(found, null);
      else opts.onProgress(done, found);
    }
  };
  let walking = true;
  const check = () => {
    if (opts.signal?.aborted) throw new ScanCancelledError(root, walking ? found : done);
  };
  const files = await walk(root, skipped, () => {
    found++;
    check();
    report();
  });
  walking = false;
  report(true);

  const probed: (ImageEntry | null)[] = new Array(files.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      check();
      const k = next++;
      const f = files[k]!;
      const r = await probeImage(f.path, f.size, maxPixels);
      if (r.ok) {
        const parts = f.rel.split(sep);
        probed[k] = { path: f.path, rel: f.rel, label: parts.length > 1 ? parts[0]! : null, width: r.width, height: r.height, format: r.format };
      } else {
        skipped.push({ path: f.path, reason: r.reason, detail: r.detail });
      }
      done++;
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, worker));
  report(true);

  let images = probed.filter((e): e is ImageEntry => e !== null);
  const topLevelImages = images.some((e) => !e.rel.includes(sep));
  const hasSubfolders = images.some((e) => e.rel.includes(sep));
  const layout: ScanResult['layout'] = hasSubfolders && !topLevelImages ? 'imagefolder' : 'flat';
  if (layout === 'flat') images = images.map((e) => ({ ...e, label: null }));
  const counts = new Map<string, number>();
  for (const e of images) if (e.label !== null) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  const classes = [...counts.entries()].sort((a, b) => compare(a[0], b[0])).map(([name, count]) => ({ name, count }));
  skipped.sort((a, b) => compare(a.path, b.path));
  return { root, layout, classes, images, skipped, seconds: (performance.now() - t0) / 1000 };
}
