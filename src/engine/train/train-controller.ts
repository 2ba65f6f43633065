// The engine's one active training run, trained in its own worker thread: start (busy if another runs), pause, resume, stop, status, shutdown.
import { resolve } from 'node:path';
import type { MessagePort, Worker } from 'node:worker_threads';
import type { StudioConfig } from '../../shared/config-schema';
import type { BackendInfo, EngineEvents, EventName, TrainStatus } from '../../shared/ipc-contract';
import { StudioFailure } from '../studio-failure';
import { readRunConfig, readRunRecord, runIdOf } from './run-store';
import { newRunDir } from './train-loop';
import type { TrainingWorkerCommand, TrainingWorkerData, TrainingWorkerEvent } from './training-worker';
import { startWorker } from '../util/start-worker';
import type { ComputeWindowSource } from '../compute-host';

type Emit = <E extends EventName>(event: E, payload: EngineEvents[E]) => void;


interface ActiveRun {
  runId: string;
  runDir: string;
  worker: Worker;
  status: TrainStatus;
  /** Resolves (never rejects) once the worker has ended, with the final status or null when it failed. */
  done: Promise<TrainStatus | null>;
}

const LIVE = new Set(['starting', 'running', 'pausing', 'paused', 'stopping']);

export class TrainController {
  private active: ActiveRun | null = null;
  private lastBackend: BackendInfo | null = null;
  /** A stopped run being resumed: its record is read before the slot is claimed, and a stop meanwhile must wait for it. */
  private resuming: { runId: string; started: Promise<TrainStatus> } | null = null;

  /**
   * `backend` names the backend a new run's first status reports until its worker reports its own; `compute` is the
   * host's compute window (Electron's WebGPU), handed to runs whose backend preference goes there.
   */
  constructor(
    private readonly emit: Emit,
    private readonly backend: () => BackendInfo | null = () => null,
    private readonly compute?: ComputeWindowSource,
  ) {}

  /** The current (or last finished) run's status, so a UI that went away can reattach. */
  status(): TrainStatus | null {
    return this.active ? { ...this.active.status } : null;
  }

  /** The backend the last training worker reported (null before any run). */
  trainingBackend(): BackendInfo | null {
    return this.lastBackend;
  }

  /** The active run's folder while it trains. */
  activeRunDir(): string | null {
    return this.active && LIVE.has(this.active.status.state) ? this.active.runDir : null;
  }

  private assertIdle(): void {
    if (this.resuming) {
      throw new StudioFailure('busy', `run ${this.resuming.runId} is being resumed; stop it (train:stop) or wait for it to finish before starting another`);
    }
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
      backend: this.backend() ?? this.lastBackend,
      warning: null,
      error: null,
    };
    const viaWindow = this.compute?.wants(opts.config.backend) ?? false;
    const workerData: TrainingWorkerData = { runDir, dataset, config: opts.config, resume: opts.resumeDir !== undefined, computeWindow: viaWindow };
    const worker = startWorker('training-worker', import.meta.url, workerData);
    if (viaWindow) {
      // The worker waits for this before it assembles the run: the window's port, or why there is none (it then trains itself).
      const send = (c: TrainingWorkerCommand, transfer: MessagePort[] = []) => {
        try {
          worker.postMessage(c, transfer);
        } catch {
          /* the thread is gone */
        }
      };
      this.compute!.open().then(
        (port) => send({ type: 'compute', port }, [port]),
        (e: unknown) => send({ type: 'compute', port: null, why: e instanceof Error ? e.message : String(e) }),
      );
    }
    // Claim the slot before any await so a second start is refused.
    const run: ActiveRun = { runId, runDir, worker, status: initial, done: Promise.resolve(null) };
    const previous = this.active;
    this.active = run;

    let ready!: (s: TrainStatus) => void;
    let failed!: (e: unknown) => void;
    const started = new Promise<TrainStatus>((res, rej) => ((ready = res), (failed = rej)));
    let settled = false;

    const onStatus = (s: TrainStatus) => {
      run.status = s;
      if (s.backend) this.lastBackend = s.backend;
      this.emit('train:status', s);
      if (!settled && s.state !== 'starting') {
        settled = true;
        ready({ ...s });
      }
    };
    const onFailure = (code: StudioFailure['code'] | null, message: string) => {
      run.status = { ...run.status, state: 'failed', error: message };
      this.emit('train:status', run.status);
      if (!settled) {
        settled = true;
        // A start refused before training keeps the previous run as the one a UI reattaches to.
        if (this.active === run) this.active = previous;
        failed(new StudioFailure(code ?? 'internal', code ? message : `run ${runId} could not start: ${message}`));
      }
    };

    run.done = new Promise<TrainStatus | null>((resolveDone) => {
      let ended = false;
      const end = (outcome: TrainStatus | null) => {
        if (ended) return;
        ended = true;
        // Everything the run writes is flushed before it reports done/failed; the thread holds nothing else.
        void worker.terminate().catch(() => undefined);
        resolveDone(outcome);
      };
      worker.on('message', (m: TrainingWorkerEvent) => {
        if (ended) return;
        if (m.type === 'status') onStatus(m.status);
        else if (m.type === 'metrics') this.emit('train:metrics', { runId, row: m.row });
        else if (m.type === 'log') this.emit('log', { level: m.level, message: m.message, time: Date.now() });
        else if (m.type === 'done') {
          onStatus(m.status);
          end(m.status);
        } else if (m.type === 'failed') {
          onFailure(m.code, m.message);
          end(null);
        }
      });
      worker.on('error', (e) => {
        if (ended) return;
        onFailure(null, `the training thread crashed: ${e.message}`);
        end(null);
      });
      worker.on('exit', (code) => {
        if (ended) return;
        onFailure(null, `the training thread exited (code ${code}) before the run ended; resume the run from its last checkpoint`);
        end(null);
      });
    });
    return started;
  }

  /** Continue a stopped run from its newest valid checkpoint. */
  async resumeStopped(runsDir: string, runId: string): Promise<TrainStatus> {
    this.assertIdle();
    const started = this.readAndResume(runsDir, runId);
    const claim = { runId, started };
    this.resuming = claim;
    try {
      return await started;
    } finally {
      if (this.resuming === claim) this.resuming = null;
    }
  }

  private async readAndResume(runsDir: string, runId: string): Promise<TrainStatus> {
    const runDir = resolve(runsDir, runId);
    const rec = await readRunRecord(runDir);
    if (!rec) throw new StudioFailure('not_found', `run ${runId} not found in ${runsDir}`);
    if (rec.state === 'finished') throw new StudioFailure('bad_input', `run ${runId} has finished all ${rec.totalSteps} steps; start a new run to train more`);
    const config = await readRunConfig(runDir);
    if (!config) throw new StudioFailure('not_found', `run ${runId} has no config.json in ${runDir}; it cannot be resumed`);
    this.resuming = null; // start() claims the slot synchronously from here on
    return this.start({ dataset: rec.dataset, config, runsDir, resumeDir: runDir });
  }

  private get(runId: string): ActiveRun {
    if (!this.active || this.active.runId !== runId) {
      throw new StudioFailure('not_found', `run ${runId} is not the active run${this.active ? ` (the active run is ${this.active.runId})` : ''}`);
    }
    return this.active;
  }

  private command(r: ActiveRun, c: TrainingWorkerCommand): void {
    // A worker that already ended has nobody to obey; its final status stands.
    try {
      r.worker.postMessage(c);
    } catch {
      /* the thread is gone */
    }
  }

  pause(runId: string): TrainStatus {
    const r = this.get(runId);
    if (!LIVE.has(r.status.state)) throw new StudioFailure('bad_input', `run ${runId} is ${r.status.state}; only a running run can be paused`);
    this.command(r, { type: 'pause' });
    // The loop is the one source of the run state: it reports 'pausing' at once and 'paused' at its gate (train:status events).
    return { ...r.status };
  }

  /** Resume a paused active run (returns null when `runId` is not the active run). */
  resume(runId: string): TrainStatus | null {
    if (!this.active || this.active.runId !== runId || !LIVE.has(this.active.status.state)) return null;
    this.command(this.active, { type: 'resume' });
    // As for pause: the loop reports 'running' itself (at once, as a train:status event).
    return { ...this.active.status };
  }

  /** Ask the run to save and stop; resolves with its final status. */
  async stop(runId: string): Promise<TrainStatus> {
    // A stop that arrives while the run is being resumed stops the resumed run, not the stopped one it continues.
    if (this.resuming?.runId === runId) await this.resuming.started.catch(() => undefined);
    const r = this.get(runId);
    this.command(r, { type: 'stop' });
    await r.done;
    return { ...r.status };
  }

  /**
   * Engine shutdown: ask a live run to finish its step, save a checkpoint and stop, waiting at most `timeoutMs`;
   * past that the thread is ended (the run resumes from its last periodic checkpoint). Resolves true when it saved.
   */
  async shutdown(timeoutMs: number): Promise<boolean> {
    const r = this.active;
    if (!r || !LIVE.has(r.status.state)) return true;
    this.command(r, { type: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([r.done, new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), timeoutMs)))]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      await r.worker.terminate().catch(() => undefined);
      return false;
    }
    return outcome !== null && outcome.state !== 'failed';
  }

  /** Wait for the active run to end (tests, engine shutdown). */
  async settle(): Promise<void> {
    await this.active?.done;
  }
}
