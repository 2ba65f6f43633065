// Pause / resume / stop requests for a running training loop, honoured between steps.
export class TrainControl {
  private paused = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  /** Called when the pause state actually changes, so the loop can report it. */
  onChange: (() => void) | null = null;

  get isPaused(): boolean {
    return this.paused && !this.stopped;
  }
  get stopRequested(): boolean {
    return this.stopped;
  }

  pause(): void {
    if (this.stopped || this.paused) return;
    this.paused = true;
    this.onChange?.();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.wakeUp();
    this.onChange?.();
  }

  /** Ask the loop to finish the current step, save a checkpoint and stop. */
  stop(): void {
    this.stopped = true;
    this.wakeUp();
  }

  /** Resolves when the loop may take the next step (immediately unless paused). */
  async gate(): Promise<void> {
    while (this.paused && !this.stopped) {
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
