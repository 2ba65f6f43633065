// The engine's one active training run: start (busy if another runs), pause, resume, stop, status for a reattaching UI.
import { resolve } from 'node:path';
import type { StudioConfig } from '../../shared/config-schema';
import type { EngineEvents, EventName, ImageEntry, TrainStatus } from '../../shared/ipc-contract';
import { StudioFailure } from '../handlers/handler-types';
import { readRunConfig, readRunRecord, runIdOf } from './run-store';
import { TrainControl } from './train-control';
import { type TrainDeps, type TrainOutcome, newRunDir, runTraining } from './train-loop';

/** The real model/loader bindings plus the dataset scan (see train-deps.ts). */
export interface EngineTrainDeps extends TrainDeps<ImageEntry> {
  scan(root: string, maxPixels: number): Promise<ImageEntry[]>;
}

type Emit = <E extends EventName>(event: E, payload: EngineEvents[E]) => void;

interface ActiveRun {
  runId: string;
  runDir: string;
  control: TrainControl;
  status: TrainStatus;
  done: Promise<TrainOutcome | null>;
}

const LIVE = new Set(['starting', 'running', 'paused', 'stopping']);

export class TrainController {
  private active: ActiveRun | null = null;

  constructor(
    private readonly deps: EngineTrainDeps,
    private readonly emit: Emit,
  ) {}

  /** The current (or last finished) run's status, so a UI that went away can reattach. */
  status(): TrainStatus | null {
    return this.active ? { ...this.active.status } : null;
  }

  /** The active run's folder while it trains. */
  activeRunDir(): string | null {
    return this.active && LIVE.has(this.active.status.state) ? this.active.runDir : null;
  }

  private assertIdle(): void {
    if (this.active && LIVE.has(this.active.status.state)) {
      const s = this.active.status;
      throw new StudioFailure(
        'busy',
        `run ${s.runId} is ${s.state} (step ${s.step} of ${s.totalSteps}); stop it (train:stop) or wait for it to finish before starting another`,
      );
    }
  }

  /** Start a new run in `runsDir` (or resume `resumeDir`); resolves once it trains or fails to start. */
  async start(opts: { dataset: string; config: StudioConfig; runsDir: string; name?: string; resumeDir?: string }): Promise<TrainStatus> {
    this.assertIdle();
    const dataset = resolve(opts.dataset);
    const runDir = opts.resumeDir ?? newRunDir(opts.runsDir, opts.name);
    const runId = runIdOf(runDir);
    const control = new TrainControl();
    const initial: TrainStatus = {
      runId,
      runDir,
      state: 'starting',
      step: 0,
      epoch: 0,
      totalSteps: 0,
      stepsPerEpoch: 0,
      imagesPerSec: 0,
      etaSeconds: null,
      backend: this.deps.backend(),
      warning: null,
      error: null,
    };
    // Claim the slot before any await so a second start is refused.
    const run: ActiveRun = { runId, runDir, control, status: initial, done: Promise.resolve(null) };
    const previous = this.active;
    this.active = run;

    let ready!: (s: TrainStatus) => void;
    let failed!: (e: unknown) => void;
    const started = new Promise<TrainStatus>((res, rej) => ((ready = res), (failed = rej)));
    let settled = false;

    const onStatus = (s: TrainStatus) => {
      run.status = s;
      this.emit('train:status', s);
      if (!settled && s.state !== 'starting') {
        settled = true;
        ready({ ...s });
      }
    };
    run.done = (async () => {
      try {
        const images = await this.deps.scan(dataset, opts.config.maxPixels);
        return await runTraining(
          {
            runDir,
            dataset,
            images,
            pathOf: (e) => e.path,
            config: opts.config,
            resume: opts.resumeDir !== undefined,
            control,
            events: {
              status: onStatus,
              metrics: (row) => this.emit('train:metrics', { runId, row }),
              log: (level, message) => this.emit('log', { level, message, time: Date.now() }),
            },
          },
          this.deps,
        );
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        run.status = { ...run.status, state: 'failed', error: message };
        this.emit('train:status', run.status);
        if (!settled) {
          settled = true;
          // A start refused before training keeps the previous run as the one a UI reattaches to.
          if (this.active === run) this.active = previous;
          failed(e instanceof StudioFailure ? e : new StudioFailure('internal', `run ${runId} could not start: ${message}`));
        }
        return null;
      }
    })();
    return started;
  }

  /** Continue a stopped run from its newest valid checkpoint. */
  async resumeStopped(runsDir: string, runId: string): Promise<TrainStatus> {
    const runDir = resolve(runsDir, runId);
    const rec = await readRunRecord(runDir);
    if (!rec) throw new StudioFailure('not_found', `run ${runId} not found in ${runsDir}`);
    if (rec.state === 'finished') throw new StudioFailure('bad_input', `run ${runId} has finished all ${rec.totalSteps} steps; start a new run to train more`);
    const config = await readRunConfig(runDir);
    if (!config) throw new StudioFailure('not_found', `run ${runId} has no config.json in ${runDir}; it cannot be resumed`);
    return this.start({ dataset: rec.dataset, config, runsDir, resumeDir: runDir });
  }

  private get(runId: string): ActiveRun {
    if (!this.active || this.active.runId !== runId) {
      throw new StudioFailure('not_found', `run ${runId} is not the active run${this.active ? ` (the active run is ${this.active.runId})` : ''}`);
    }
    return this.active;
  }

  pause(runId: string): TrainStatus {
    const r = this.get(runId);
    if (!LIVE.has(r.status.state)) throw new StudioFailure('bad_input', `run ${runId} is ${r.status.state}; only a running run can be paused`);
    r.control.pause();
    return { ...r.status, state: r.status.state === 'running' ? 'paused' : r.status.state };
  }

  /** Resume a paused active run (returns null when `runId` is not the active run). */
  resume(runId: string): TrainStatus | null {
    if (!this.active || this.active.runId !== runId || !LIVE.has(this.active.status.state)) return null;
    this.active.control.resume();
    return { ...this.active.status, state: this.active.status.state === 'paused' ? 'running' : this.active.status.state };
  }

  /** Ask the run to save and stop; resolves with its final status. */
  async stop(runId: string): Promise<TrainStatus> {
    const r = this.get(runId);
    r.control.stop();
    await r.done;
    return { ...r.status };
  }

  /** Wait for the active run to end (tests, engine shutdown). */
  async settle(): Promise<void> {
    await this.active?.done;
  }
}
