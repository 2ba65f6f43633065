// Remaining-time estimate from measured step durations (a moving window), never from constants.
export class EtaEstimator {
  private readonly times: number[] = [];
  private sum = 0;
  constructor(private readonly window = 20) {}

  /** Record one step's wall time in milliseconds (loader wait included). */
  add(ms: number): void {
    this.times.push(ms);
    this.sum += ms;
    if (this.times.length > this.window) this.sum -= this.times.shift()!;
  }

  /** Mean measured step time in ms, or null before the first step. */
  meanMs(): number | null {
    return this.times.length ? this.sum / this.times.length : null;
  }

  /** Seconds left for `steps` more steps, or null while nothing is measured. */
  etaSeconds(steps: number): number | null {
    const m = this.meanMs();
    if (m === null) return null;
    return Math.max(0, (steps * m) / 1000);
  }
}
