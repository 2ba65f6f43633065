// The training loop: resume or start a run folder, pull batches, step the DINO system, log metrics, checkpoint, obey control.
import { promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '../tf/tfjs';
import type { StudioConfig } from '../../shared/config-schema';
import type { BackendInfo, CollapseWarning, MetricRow, TrainState, TrainStatus } from '../../shared/ipc-contract';
import { StudioFailure } from '../studio-failure';
import type { Batch, LoaderPosition } from '../loader/batch-types';
import { type DecodeFailures, maxDecodeFailures } from '../loader/decode-failures';

/** The run's log (every info, warning and error of the loop, one line each) in the run folder. */
export const RUN_LOG_FILE = 'run.log';
import type { DurableWrite } from './atomic-folder';
import type { NamedTensors } from './step-types';
import { type Checkpoint, type CheckpointMeta, CheckpointSaveError, CheckpointStore, checkpointName } from './checkpoint-store';
import { CollapseDetector } from './collapse-detector';
import { type DatasetFingerprint, datasetFingerprint } from './dataset-fingerprint';
import { EtaEstimator } from './eta-estimator';
import { METRICS_FILE, MetricsLog } from './metrics-log';
import { type RunRecord, newRunId, readRunRecord, runIdOf, writeRunConfig, writeRunRecord } from './run-store';
import type { DinoState, StepSchedule, StepStats } from './step-types';
import { splitBatch } from './split-batch';
import { TrainControl } from './train-control';
import type { OnlineEvalResult } from '../eval/online-eval';
import { checkConfig, datasetProblems, imagesPerStep, stepsPerEpoch as stepsPerEpochOf } from './train-config';

/** The model side as the loop uses it (createDinoSystem's DinoSystem satisfies it). */
export interface TrainSystem {
  /**
   * One optimizer update from a batch or the micro-batches of one accumulated update. A non-finite loss throws (a
   * StudioFailure, before the update is applied: trainStep's guard), and the run fails with its last good checkpoint named.
   */
  step(batch: Batch | Batch[], sched: StepSchedule): Promise<StepStats>;
  /** The checkpoint state, read back asynchronously (works on every backend). */
  readState(): Promise<DinoState>;
  setState(s: DinoState): void;
  /** Free the system (a data-parallel one also ends its replica threads). */
  dispose(): void | Promise<void>;
}

/** The loader as the loop uses it (MulticropLoader satisfies it); one batch holds batchSize * accumulate images. */
export interface BatchSource {
  next(): Promise<Batch>;
  /** Images that could not be read (MulticropLoader): reported once each, and too many stop the run. */
  readonly decodeFailures?: DecodeFailures;
  close(): Promise<void> | void;
  /** Take back a batch the step is done with (its buffers are reused), if the source recycles. */
  recycle?(batch: Batch): void;
}

/** The components a run is made of (bound to the real model and loader in assemble-run.ts). */
export interface TrainDeps<Image> {
  createSystem(config: StudioConfig, seed: number, initial?: NamedTensors): Promise<TrainSystem> | TrainSystem;
  createLoader(images: Image[], config: StudioConfig, start: LoaderPosition): Promise<BatchSource> | BatchSource;
  schedule(config: StudioConfig, stepsPerEpoch: number, iteration: number): StepSchedule;
  backend(): BackendInfo | null;
}

export interface TrainEvents {
  metrics?(row: MetricRow): void;
  status?(status: TrainStatus): void;
  log?(level: 'info' | 'warn' | 'error', message: string): void;
}

export interface TrainRunOptions<Image> {
  runDir: string;
  /** Dataset root folder (recorded, and the base of the fingerprint's relative paths). */
  dataset: string;
  images: Image[];
  /** Absolute path of each image, for the dataset fingerprint. */
  pathOf(image: Image): string;
  config: StudioConfig;
  /** Continue from the newest valid checkpoint (the saved config wins). */
  resume?: boolean;
  /** Resume even though the dataset's fingerprint changed. */
  allowDatasetChange?: boolean;
  /** Stop when the global step reaches this (0 writes only the initial checkpoint). */
  maxSteps?: number | null;
  /** Stop after this many minutes of this invocation. */
  maxMinutes?: number | null;
  control?: TrainControl;
  events?: TrainEvents;
  /** Injectable durable write for checkpoints (tests simulate a full disk). */
  write?: DurableWrite;
  keepCheckpoints?: number;
  /** Fresh runs start from these parameters (an imported backbone, see io/weights-init.ts); ignored on resume. */
  initial?: NamedTensors;
  /**
   * Evaluation during training, made from the run's config (eval/online-eval.ts's createOnlineEval): run on the teacher before the first step
   * and every config.knnEvery steps (wider when it would cost more than ONLINE_EVAL_MAX_SHARE of the time), and on
   * the last step; its result goes onto that step's metrics row (the baseline onto the first row, knnStep 0).
   */
  onlineEval?: (config: StudioConfig) => Promise<{ evaluate(teacher: NamedTensors, step: number): Promise<OnlineEvalResult> } | null>;
  /** Most share of the time the online evaluation may take (default ONLINE_EVAL_MAX_SHARE); beyond it the interval widens. */
  onlineEvalMaxShare?: number;
}

/** Most share of the wall time the online evaluation may take; beyond it the interval widens. */
export const ONLINE_EVAL_MAX_SHARE = 0.1;

export interface TrainOutcome {
  status: TrainStatus;
  lastCheckpoint: string | null;
}

const LOG_STATUS_MS = 250;

/** Name of the first state tensor holding NaN or Infinity (null when all are finite). */
function firstNonFinite(s: DinoState): string | null {
  const parts: [string, Record<string, { data: Float32Array }>][] = [
    ['student', s.student],
    ['teacher', s.teacher],
    ['optimizer', s.optimizer],
    ['center', { center: s.center }],
  ];
  for (const [part, tensors] of parts) {
    for (const [name, t] of Object.entries(tensors)) {
      const d = t.data;
      for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return `${part} tensor ${name}`;
    }
  }
  return null;
}

function nextPosition(step: number, spe: number): LoaderPosition {
  return { epoch: Math.floor(step / spe), index: step % spe };
}

/** Train (or resume) one run folder until it finishes, is stopped, or hits a limit. */
export async function runTraining<Image>(opts: TrainRunOptions<Image>, deps: TrainDeps<Image>): Promise<TrainOutcome> {
  const runDir = resolve(opts.runDir);
  const runId = runIdOf(runDir);
  const control = opts.control ?? new TrainControl();
  const ev = opts.events ?? {};
  // Every message also goes to <run>/run.log, in order (what a person reads after the fact).
  let logChain: Promise<void> = Promise.resolve();
  const log = (level: 'info' | 'warn' | 'error', message: string) => {
    ev.log?.(level, message);
    const line = `${new Date().toISOString()} ${level} ${message}\n`;
    logChain = logChain.then(() => fsp.mkdir(runDir, { recursive: true })).then(() => fsp.appendFile(join(runDir, RUN_LOG_FILE), line)).catch(() => undefined);
  };

  const store = new CheckpointStore(runDir, { write: opts.write, keep: opts.keepCheckpoints });
  const { checkpoint: found, problems } = await store.loadLatest();
  for (const p of problems) log('warn', `skipping checkpoint ${p.name}: ${p.reason}; using an earlier one`);

  let ckpt: Checkpoint | null = null;
  if (found && !opts.resume) {
    throw new StudioFailure(
      'busy',
      `run folder ${runDir} already holds a run (latest checkpoint ${found.name}); resume it (--resume) or choose a new run folder`,
    );
  }
  if (opts.resume) {
    if (found) ckpt = found;
    else log('warn', `no complete checkpoint in ${store.dir}${problems.length ? ' (all were damaged)' : ''}; starting from step 0`);
  }

  // The saved config wins on resume: an exact continuation needs the same settings.
  let config = ckpt ? ckpt.meta.config : opts.config;
  const checked = checkConfig(config);
  if (!checked.ok) throw new StudioFailure('bad_input', `invalid config${ckpt ? ` in ${ckpt.dir}` : ''}:\n${checked.errors.join('\n')}`);
  config = checked.config;
  const probs = datasetProblems(config, opts.images.length, opts.dataset);
  if (probs.length) throw new StudioFailure('bad_input', probs.join('\n'));

  const fingerprint: DatasetFingerprint = await datasetFingerprint(opts.dataset, opts.images.map(opts.pathOf));
  if (ckpt && ckpt.meta.dataset.fingerprint.sha256 !== fingerprint.sha256) {
    const was = ckpt.meta.dataset.fingerprint;
    const msg =
      `the dataset changed since checkpoint ${ckpt.name} of ${runDir}: it had ${was.files} files (${was.bytes} bytes) in ${ckpt.meta.dataset.root}, ` +
      `now ${fingerprint.files} files (${fingerprint.bytes} bytes) in ${opts.dataset}; files were added, removed or modified. ` +
      `Restore the dataset, start a new run, or resume anyway with --allow-dataset-change (the continuation will not be exact).`;
    if (!opts.allowDatasetChange) throw new StudioFailure('bad_input', msg);
    log('warn', msg);
  }

  // Only a start that passed every check creates the run folder.
  await fsp.mkdir(runDir, { recursive: true });
  const spe = stepsPerEpochOf(config, opts.images.length);
  const totalSteps = spe * config.epochs;
  const target = Math.min(totalSteps, opts.maxSteps ?? Infinity);
  const deadline = opts.maxMinutes != null ? Date.now() + opts.maxMinutes * 60_000 : Infinity;

  const prevRec = await readRunRecord(runDir);
  const rec: RunRecord = {
    runId,
    createdAt: prevRec?.createdAt ?? new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    dataset: resolve(opts.dataset),
    state: 'starting',
    step: ckpt?.meta.step ?? 0,
    epoch: ckpt?.meta.epoch ?? 0,
    totalSteps,
    stepsPerEpoch: spe,
    lastLoss: null,
    arch: `${config.arch}/${config.patchSize} depth ${config.depth}`,
    backend: deps.backend(),
    warning: null,
    error: null,
    pid: process.pid,
  };

  const eta = new EtaEstimator();
  const collapse = new CollapseDetector({ outDim: config.outDim, warmupSteps: Math.max(config.warmupEpochs * spe, 0) });
  let imagesPerSec = 0;
  let lastStatusAt = 0;
  const status = (): TrainStatus => {
    const left = Math.max(0, target - rec.step);
    let etaS = eta.etaSeconds(left);
    if (etaS !== null && Number.isFinite(deadline)) etaS = Math.min(etaS, Math.max(0, (deadline - Date.now()) / 1000));
    return {
      runId,
      runDir,
      state: rec.state,
      step: rec.step,
      epoch: rec.epoch,
      totalSteps,
      stepsPerEpoch: spe,
      imagesPerSec,
      etaSeconds: rec.state === 'running' || rec.state === 'pausing' || rec.state === 'paused' ? etaS : null,
      backend: rec.backend,
      warning: rec.warning,
      error: rec.error,
    };
  };
  // State changes are written and reported one after another, in the order they happen (a 'pausing' from a command
  // must never be reported after the loop's 'paused').
  let stateChain: Promise<void> = Promise.resolve();
  const setState = (s: TrainState, error: string | null = rec.error): Promise<void> => {
    rec.state = s;
    rec.error = error;
    rec.updatedAt = new Date().toISOString();
    const snapshot = { ...rec };
    const next = stateChain.then(async () => {
      await writeRunRecord(runDir, snapshot);
      lastStatusAt = Date.now();
      ev.status?.({ ...status(), state: snapshot.state, error: snapshot.error });
    });
    stateChain = next.catch(() => undefined);
    return next;
  };
  // The loop is the one source of the run state. Pausing shows at once as 'pausing' and as 'paused' when the loop
  // reaches its gate, after the step in flight has finished and its metrics row is out: 'paused' then means no further
  // step, as a person (and a test) reads it. Resuming shows at once.
  control.onChange = () => {
    if (control.isPaused && rec.state === 'running') void setState('pausing').catch(() => undefined);
    else if (!control.isPaused && (rec.state === 'paused' || rec.state === 'pausing')) void setState('running').catch(() => undefined);
  };

  await setState('starting');
  log('info', `run ${runId} in ${runDir}: config ${JSON.stringify(config)}`);

  const metrics = new MetricsLog(join(runDir, METRICS_FILE));
  let system: TrainSystem | null = null;
  let loader: BatchSource | null = null;
  let lastSaved: string | null = ckpt?.name ?? null;
  let lastSavedStep = ckpt?.meta.step ?? -1;
  let saveFailed = false;

  const save = async (final: boolean): Promise<boolean> => {
    if (!system || rec.step === lastSavedStep) return true;
    const state = await system.readState();
    const meta: CheckpointMeta = {
      format: 'multicrop-checkpoint/1',
      step: rec.step,
      epoch: rec.epoch,
      optimizerStep: state.optimizerStep,
      loaderPosition: nextPosition(rec.step, spe),
      rng: { seed: config.seed, note: 'all random streams are counter-based, keyed by (seed, epoch, image, view); the loader position fixes them' },
      config,
      dataset: { root: resolve(opts.dataset), fingerprint },
      createdAt: new Date().toISOString(),
    };
    // The step's own guard stops a non-finite loss before its update; this catches what it cannot see: starting
    // weights (an imported file) holding NaN or Infinity, or an update that made them so with a finite loss.
    const bad = firstNonFinite(state);
    if (bad && rec.step === 0) {
      throw new StudioFailure(
        'bad_input',
        `the starting weights hold NaN or Infinity (${bad}); nothing was trained or saved. ` +
          'If they came from an imported weights file, that file is damaged: import another one, or start from a random initialisation.',
      );
    }
    if (bad) {
      throw new StudioFailure(
        'internal',
        `the model's ${bad} holds NaN or Infinity after step ${rec.step}; training stopped without saving it. ` +
          `The last good checkpoint is ${lastSaved ?? 'none'} in ${store.dir}. Lower lr, keep clipGrad on (e.g. 3), or raise warmupEpochs, then start again or resume.`,
      );
    }
    try {
      lastSaved = await store.save(meta, state);
      lastSavedStep = rec.step;
      if (saveFailed) {
        saveFailed = false;
        rec.error = null;
        log('info', `checkpoint ${lastSaved} saved; the earlier save failure is resolved`);
      }
      await writeRunRecord(runDir, { ...rec, updatedAt: new Date().toISOString() });
      return true;
    } catch (e) {
      if (!(e instanceof CheckpointSaveError)) throw e;
      const msg = `${e.message}${lastSaved ? ` Last valid checkpoint: ${lastSaved}.` : ''}`;
      log('error', msg);
      rec.error = msg;
      saveFailed = true;
      if (!final) ev.status?.(status());
      return false;
    }
  };

  try {
    system = await deps.createSystem(config, config.seed, ckpt ? undefined : opts.initial);
    if (ckpt) {
      system.setState(ckpt.state);
      const kept = await metrics.truncateAfter(ckpt.meta.step);
      rec.lastLoss = kept.length ? kept[kept.length - 1]!.loss : null;
      log('info', `resuming ${runId} from ${ckpt.name} (step ${ckpt.meta.step}, epoch ${ckpt.meta.epoch})`);
    } else {
      await writeRunConfig(runDir, config);
      await metrics.truncateAfter(0);
      if (!(await save(false))) throw new StudioFailure('internal', rec.error ?? 'could not write the initial checkpoint');
    }
    await metrics.open();

    if (rec.step < target) loader = await deps.createLoader(opts.images, config, nextPosition(rec.step, spe));
    await setState(control.isPaused ? 'paused' : 'running');

    // Online evaluation: the baseline now (the teacher before the next update), then every `evalEvery` steps.
    const online = rec.step < target && opts.onlineEval ? await opts.onlineEval(config) : null;
    let pendingEval: OnlineEvalResult | null = null;
    let lastEvalStep = -1;
    let evalEvery = Math.max(1, config.knnEvery);
    let widened = false;
    const maxShare = opts.onlineEvalMaxShare ?? ONLINE_EVAL_MAX_SHARE;
    const stepMsWindow: number[] = [];
    const runEval = async (): Promise<OnlineEvalResult> => {
      // Asynchronous readback: a GPU backend under Node (WebGPU through Dawn) has no synchronous one.
      const r = await online!.evaluate((await system!.readState()).teacher, rec.step);
      lastEvalStep = rec.step;
      const ms = [...stepMsWindow].sort((a, b) => a - b)[Math.floor(stepMsWindow.length / 2)];
      if (ms) {
        // Keep evaluation under maxShare of the time: one evaluation per `need` steps at most.
        const need = Math.ceil((r.knnSeconds * 1000 * (1 - maxShare)) / (maxShare * ms));
        if (need > evalEvery) {
          evalEvery = need;
          if (!widened) log('info', `k-NN takes ${r.knnSeconds.toFixed(1)} s against ${ms.toFixed(0)} ms a step: evaluating every ${need} steps (knnEvery ${config.knnEvery}) to stay under ${+(maxShare * 100).toPrecision(3)} % of the time`);
          widened = true;
        }
      }
      return r;
    };
    if (online && rec.step < target) pendingEval = await runEval();

    let stopReason: 'finished' | 'limit' | 'stop' = 'finished';
    while (rec.step < target) {
      if (control.isPaused) {
        await setState('paused');
        await control.gate();
        if (!control.stopRequested) await setState('running');
      }
      if (control.stopRequested) {
        stopReason = 'stop';
        break;
      }
      if (Date.now() >= deadline) {
        stopReason = 'limit';
        break;
      }
      const t0 = performance.now();
      const batch = await loader!.next();
      const tBatch = performance.now();
      const want = nextPosition(rec.step, spe);
      if (batch.epoch !== want.epoch || batch.index !== want.index) {
        throw new StudioFailure(
          'internal',
          `the loader delivered batch ${batch.index} of epoch ${batch.epoch} where step ${rec.step + 1} needs batch ${want.index} of epoch ${want.epoch}`,
        );
      }
      const unreadable = loader!.decodeFailures;
      if (unreadable) {
        const { failures, more } = unreadable.takeNew();
        for (const f of failures) log('warn', `could not read ${f.path} during training: ${f.reason}; its views are blank in this step (reported once). Rescan the folder to leave it out.`);
        if (more > 0) log('warn', `${more} more images could not be read (not listed)`);
        const limit = maxDecodeFailures(opts.images.length);
        if (unreadable.count > limit) {
          const first = unreadable.listed[0]!;
          // Stop before training on this batch: blank views of most of a dataset would only teach the model zeros.
          throw new StudioFailure(
            'bad_input',
            `training stopped before step ${rec.step + 1}: ${unreadable.count} of the ${opts.images.length} images could not be read (more than ${limit} allowed), ` +
              `e.g. ${first.path}: ${first.reason}. The folder may have changed since it was scanned: check it, rescan it on the Dataset screen and resume the run.`,
          );
        }
      }
      const sched = deps.schedule(config, spe, rec.step);
      const stats = await system.step(config.accumulate > 1 ? splitBatch(batch, config.accumulate) : batch, sched);
      const t1 = performance.now();
      loader!.recycle?.(batch); // the step's tensors are disposed: nothing reads the batch any more
      rec.step += 1;
      rec.epoch = nextPosition(rec.step, spe).epoch;
      rec.lastLoss = stats.loss;
      const iterMs = t1 - t0;
      eta.add(iterMs);
      stepMsWindow.push(iterMs);
      if (stepMsWindow.length > 50) stepMsWindow.shift();
      imagesPerSec = (imagesPerStep(config) * 1000) / Math.max(iterMs, 1e-6);
      const row: MetricRow = {
        step: rec.step,
        epoch: batch.epoch,
        loss: stats.loss,
        lr: sched.lr,
        wd: sched.wd,
        momentum: sched.momentum,
        teacherTemp: sched.teacherTemp,
        teacherEntropy: stats.teacherEntropy,
        klTeacherStudent: stats.klTeacherStudent,
        centerNorm: stats.centerNorm,
        batchMeanEntropy: stats.batchMeanEntropy,
        imagesPerSec,
        loaderWaitMs: Math.max(batch.waitMs, tBatch - t0),
        stepMs: t1 - tBatch,
        rssMb: process.memoryUsage().rss / 2 ** 20,
        numTensors: tf.memory().numTensors,
        time: Date.now(),
      };
      if (unreadable && unreadable.count > 0) row.decodeFailures = unreadable.count;
      const lastStep = rec.step >= target || Date.now() >= deadline;
      if (online && !pendingEval && (rec.step - lastEvalStep >= evalEvery || (lastStep && lastEvalStep !== rec.step))) pendingEval = await runEval();
      if (pendingEval) {
        const e = pendingEval;
        pendingEval = null;
        row.knnStep = e.knnStep;
        row.knnTop1 = e.knnTop1;
        row.knnTop5 = e.knnTop5;
        row.knnSeconds = e.knnSeconds;
        if (e.attnObjectShare !== undefined) {
          row.attnObjectShare = e.attnObjectShare;
          row.attnObjectShareHeads = e.attnObjectShareHeads;
          row.attnObjectBaseline = e.attnObjectBaseline;
        }
      }
      await metrics.append(row);
      const w: CollapseWarning | null = collapse.observe(rec.step, stats);
      if (w && w !== rec.warning) log('warn', w.message);
      rec.warning = w;
      if (Date.now() - lastStatusAt >= LOG_STATUS_MS || rec.step === target) {
        lastStatusAt = Date.now();
        ev.status?.(status());
      }
      ev.metrics?.(row);
      if (rec.step % config.checkpointEvery === 0) await save(false);
    }
    if (rec.step >= target && stopReason === 'finished' && rec.step < totalSteps) stopReason = 'limit';

    await setState('stopping');
    const ok = await save(true);
    const end: TrainState = !ok ? 'failed' : stopReason === 'finished' ? 'finished' : 'stopped';
    await setState(end, ok ? null : rec.error);
    return { status: status(), lastCheckpoint: lastSaved };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    log('error', `run ${runId} failed at step ${rec.step}: ${msg}`);
    const full = `${msg}${lastSaved ? ` (last good checkpoint: ${lastSaved} in ${store.dir})` : ''}`;
    await setState('failed', full).catch(() => undefined);
    if (e instanceof StudioFailure) throw new StudioFailure(e.code, full);
    throw e;
  } finally {
    await logChain;
    await metrics.close().catch(() => undefined);
    await Promise.resolve(loader?.close()).catch(() => undefined);
    await system?.dispose();
  }
}

/** A run folder for a new engine run under `runsDir`. */
export function newRunDir(runsDir: string, name?: string): string {
  return join(runsDir, newRunId(name));
}

export { checkpointName };
