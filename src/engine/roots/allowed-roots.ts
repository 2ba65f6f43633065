// The folders the person opened (folders:open, the sample) plus the runs folder, persisted in <data>/allowed-roots.json; recent datasets come from it.
import { mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { confinePathSync, type ConfineResult } from './confine-path';

interface RootsFile {
  roots: string[];
  recent: string[];
}
const MAX_RECENT = 12;

export class AllowedRoots {
  private roots: string[] = [];
  private recent: string[] = [];
  readonly file: string;

  /** `fixed` roots (runs folder) are allowed but never listed as recent datasets. */
  constructor(
    dataDir: string,
    private readonly fixed: readonly string[] = [],
  ) {
    this.file = join(dataDir, 'allowed-roots.json');
    this.load();
    for (const f of fixed) this.addRoot(f, false);
  }

  private load(): void {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<RootsFile>;
      if (Array.isArray(parsed.roots)) this.roots = parsed.roots.filter((r): r is string => typeof r === 'string');
      if (Array.isArray(parsed.recent)) this.recent = parsed.recent.filter((r): r is string => typeof r === 'string');
    } catch {
      // first run, or an unreadable file: start empty (it is rewritten on the next allow)
    }
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ roots: this.roots, recent: this.recent } satisfies RootsFile, null, 2));
    renameSync(tmp, this.file);
  }

  private addRoot(root: string, asRecent: boolean): void {
    const abs = resolve(root);
    mkdirSync(abs, { recursive: true });
    const real = realpathSync(abs);
    let changed = false;
    if (!this.roots.includes(real)) {
      this.roots.push(real);
      changed = true;
    }
    if (asRecent) {
      this.recent = [real, ...this.recent.filter((r) => r !== real)].slice(0, MAX_RECENT);
      changed = true;
    }
    if (changed) this.save();
  }

  /** Allow a folder the user opened or scanned (it must exist) and remember it as a recent dataset. */
  allow(root: string): void {
    const real = realpathSync(resolve(root));
    this.addRoot(real, !this.fixed.some((f) => resolve(f) === real));
  }

  /** Close a folder the person opened: it leaves the allowed roots and the recent list (fixed roots stay). */
  remove(root: string): boolean {
    const abs = resolve(root);
    let real = abs;
    try {
      real = realpathSync(abs);
    } catch {
      // a folder that has gone can still be removed from the list by its saved name
    }
    if (this.fixed.some((f) => resolve(f) === abs || resolve(f) === real)) return false;
    const keep = (r: string) => r !== abs && r !== real;
    const had = this.roots.length + this.recent.length;
    this.roots = this.roots.filter(keep);
    this.recent = this.recent.filter(keep);
    if (this.roots.length + this.recent.length === had) return false;
    this.save();
    return true;
  }

  list(): readonly string[] {
    return this.roots;
  }

  /** The folders the person opened (not the fixed ones), most recently opened first. */
  opened(): string[] {
    const fixed = new Set(this.fixed.map((f) => resolve(f)));
    const fixedReal = new Set(this.fixed.map((f) => { try { return realpathSync(f); } catch { return resolve(f); } }));
    const mine = this.roots.filter((r) => !fixed.has(r) && !fixedReal.has(r));
    const order = this.recent.filter((r) => mine.includes(r));
    return [...order, ...mine.filter((r) => !order.includes(r)).reverse()];
  }

  recentDatasets(): string[] {
    return [...this.recent];
  }

  check(absPath: string): ConfineResult {
    return confinePathSync(absPath, this.roots);
  }
}
