// Images that could not be read during training: each file recorded once with its reason, a bounded list for reports, and the rule for "too many".
export interface DecodeFailure {
  path: string;
  /** What went wrong, in a person's words. */
  reason: string;
}

/** At most this many failures are kept with their reasons (the count goes on). */
export const LISTED_FAILURES = 50;

/** More distinct unreadable files than this stops a run of `images` images (5 % of them, at least 1). */
export function maxDecodeFailures(images: number): number {
  return Math.max(1, Math.floor(images * 0.05));
}

/** A loader's error message for a file, in words (a file gone since the scan is the usual case). */
export function failureReason(message: string): string {
  if (/ENOENT|no such file|Input file is missing/i.test(message)) return 'the file is gone (moved or deleted since the folder was scanned)';
  if (/EACCES|EPERM|permission/i.test(message)) return 'permission denied';
  if (/unsupported image format|corrupt|premature end|VipsJpeg|bad seek|Invalid/i.test(message)) return `it is not a readable image any more (${message.split('\n')[0]!.slice(0, 200)})`;
  return message.split('\n')[0]!.slice(0, 300);
}

export class DecodeFailures {
  private readonly seen = new Set<string>();
  /** The first LISTED_FAILURES distinct failures. */
  readonly listed: DecodeFailure[] = [];
  private fresh: DecodeFailure[] = [];
  private unreported = 0;

  /** Record a failure; a file already recorded is not recorded again. */
  record(path: string, message: string): void {
    if (this.seen.has(path)) return;
    this.seen.add(path);
    const f = { path, reason: failureReason(message) };
    if (this.listed.length < LISTED_FAILURES) this.listed.push(f);
    if (this.fresh.length < LISTED_FAILURES) this.fresh.push(f);
    else this.unreported++;
  }

  /** Distinct files that failed so far. */
  get count(): number {
    return this.seen.size;
  }

  /** Failures not reported yet (each file is handed out once), and how many more were not listed. */
  takeNew(): { failures: DecodeFailure[]; more: number } {
    const out = { failures: this.fresh, more: this.unreported };
    this.fresh = [];
    this.unreported = 0;
    return out;
  }
}
