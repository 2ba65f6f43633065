// Watches teacher entropies for DINO's two failure modes (uniform and one-dimension collapse) and says what to change.
import type { CollapseWarning } from '../../shared/ipc-contract';
import type { StepStats } from './step-types';

export interface CollapseDetectorOptions {
  outDim: number;
  /** Steps before which no warning is given (the lr warmup: early training is legitimately odd). */
  warmupSteps: number;
  /** Consecutive steps the signal must hold. */
  window?: number;
  /** Uniform: teacher entropy above this fraction of ln K (default 0.9). */
  uniformFraction?: number;
  /** One-dimension: teacher entropy and batch-mean entropy both below this fraction of ln K. */
  oneDimFraction?: number;
}

export class CollapseDetector {
  private readonly lnK: number;
  private readonly window: number;
  private readonly uniformFraction: number;
  private readonly oneDimFraction: number;
  private uniformRun = 0;
  private oneDimRun = 0;
  warning: CollapseWarning | null = null;

  constructor(private readonly opts: CollapseDetectorOptions) {
    this.lnK = Math.log(opts.outDim);
    this.window = opts.window ?? 20;
    this.uniformFraction = opts.uniformFraction ?? 0.9;
    this.oneDimFraction = opts.oneDimFraction ?? 0.1;
  }

  /** Feed one step (1-based step number); returns the current warning (sticky until the signal clears). */
  observe(step: number, s: StepStats): CollapseWarning | null {
    const uniform = s.teacherEntropy >= this.uniformFraction * this.lnK;
    const oneDim = s.teacherEntropy <= this.oneDimFraction * this.lnK && s.batchMeanEntropy <= this.oneDimFraction * this.lnK;
    this.uniformRun = uniform ? this.uniformRun + 1 : 0;
    this.oneDimRun = oneDim ? this.oneDimRun + 1 : 0;
    if (step <= this.opts.warmupSteps) return this.warning;
    const K = this.opts.outDim;
    if (this.uniformRun >= this.window) {
      if (this.warning?.kind !== 'uniform') {
        this.warning = {
          kind: 'uniform',
          step,
          message:
            `Uniform collapse: for ${this.uniformRun} steps the teacher's output entropy has been ${s.teacherEntropy.toFixed(3)} nats, ` +
            `close to ln(K) = ${this.lnK.toFixed(3)} (K = outDim = ${K}): the teacher predicts nothing. ` +
            `Try a lower teacherTemp (sharper teacher, e.g. 0.04), a smaller outDim (e.g. ${Math.max(2, Math.min(K, 4096) >> 1)}), ` +
            `a higher momentumTeacher (e.g. 0.996-0.999), a lower lr, or fewer localCrops on a small dataset.`,
        };
      }
    } else if (this.oneDimRun >= this.window) {
      if (this.warning?.kind !== 'one-dimension') {
        this.warning = {
          kind: 'one-dimension',
          step,
          message:
            `One-dimension collapse: for ${this.oneDimRun} steps the teacher's entropy (${s.teacherEntropy.toFixed(3)} nats) and the entropy of ` +
            `its batch-mean distribution (${s.batchMeanEntropy.toFixed(3)} nats, ln(K) = ${this.lnK.toFixed(3)}) have been near 0: ` +
            `every image maps to the same prototype. Keep centring active (centerMomentum below 1, e.g. 0.9), ` +
            `use a lower lr or a longer warmupEpochs, a higher momentumTeacher (e.g. 0.996), a slightly higher teacherTemp ` +
            `(e.g. 0.05-0.07 after a warm-up from 0.04), or a smaller outDim.`,
        };
      }
    } else if (this.uniformRun === 0 && this.oneDimRun === 0) {
      this.warning = null;
    }
    return this.warning;
  }
}
