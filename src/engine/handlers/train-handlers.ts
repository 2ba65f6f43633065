// Engine handlers for training: train:start/pause/resume/stop/status, runs:list/get, schedules:preview, config:validate, backend:info.
import { join, resolve } from 'node:path';
import type { SchedulePreview } from '../../shared/ipc-contract';
import { getRun, listRuns } from '../train/run-store';
import { scheduleAt } from '../train/schedules';
import { checkConfig, stepsPerEpoch } from '../train/train-config';
import { TrainController } from '../train/train-controller';
import { currentBackend, ensureBackend } from '../tf/active-backend';
import { requireOpened } from '../roots/require-opened';
import { requireDatasetFolder } from '../roots/require-dataset-folder';
import { StudioFailure } from '../studio-failure';
import { type HandlerContext, type PartialHandlerTable } from './handler-types';

const controllers = new WeakMap<HandlerContext, TrainController>();

/** The engine's one training controller (one per handler context, i.e. per engine). */
export function trainControllerFor(ctx: HandlerContext): TrainController {
  let c = controllers.get(ctx);
  if (!c) {
    c = new TrainController((event, payload) => ctx.emit(event, payload), currentBackend, ctx.compute);
    controllers.set(ctx, c);
  }
  return c;
}

/** Schedule curves for a config and dataset size, `points` samples over the whole run. */
export function schedulePreview(config: Parameters<typeof scheduleAt>[0], datasetSize: number, points: number): SchedulePreview {
  const spe = stepsPerEpoch(config, datasetSize);
  if (spe < 1) {
    const per = config.batchSize * config.accumulate;
    throw new StudioFailure(
      'bad_input',
      `the batch (${per} images${config.accumulate > 1 ? `: batch size ${config.batchSize} x ${config.accumulate} accumulation steps` : ''}) is larger than the dataset (${datasetSize} usable images); lower the batch size to ${Math.max(1, Math.floor(datasetSize / config.accumulate))} or less, or add images`,
    );
  }
  const total = spe * config.epochs;
  const every = Math.max(1, Math.ceil(total / points));
  const out: SchedulePreview = { stepsPerEpoch: spe, totalSteps: total, lr: [], wd: [], momentum: [], teacherTemp: [], every };
  for (let it = 0; it < total; it += every) {
    const s = scheduleAt(config, spe, it);
    out.lr.push(s.lr);
    out.wd.push(s.wd);
    out.momentum.push(s.momentum);
    out.teacherTemp.push(s.teacherTemp);
  }
  return out;
}

export const trainHandlers: PartialHandlerTable = {
  async 'train:start'(req, ctx) {
    const controller = trainControllerFor(ctx);
    const dataset = await requireDatasetFolder(req.dataset);
    // Training reads every image of the folder: only folders the person opened (folders:open).
    requireOpened(ctx, dataset, 'the dataset folder');
    // The backend (tfjs and its memory) lives in the run's training thread, which initialises it.
    return controller.start({ dataset, config: req.config, runsDir: ctx.runsDir, name: req.name });
  },
  async 'train:pause'(req, ctx) {
    return trainControllerFor(ctx).pause(req.runId);
  },
  async 'train:resume'(req, ctx) {
    const controller = trainControllerFor(ctx);
    const live = controller.resume(req.runId);
    if (live) return live;
    // Not the active run: continue a stopped run from its newest valid checkpoint.
    const status = await controller.resumeStopped(ctx.runsDir, req.runId);
    return status;
  },
  async 'train:stop'(req, ctx) {
    return trainControllerFor(ctx).stop(req.runId);
  },
  async 'train:status'(_req, ctx) {
    return trainControllerFor(ctx).status();
  },
  async 'runs:list'(_req, ctx) {
    return listRuns(ctx.runsDir, trainControllerFor(ctx).activeRunDir());
  },
  async 'runs:get'(req, ctx) {
    const runDir = join(ctx.runsDir, req.runId);
    const active = trainControllerFor(ctx).activeRunDir();
    const detail = await getRun(runDir, active !== null && resolve(active) === resolve(runDir));
    if (!detail) throw new StudioFailure('not_found', `run ${req.runId} not found in ${ctx.runsDir} (no run.json and config.json there)`);
    return detail;
  },
  async 'schedules:preview'(req) {
    return schedulePreview(req.config, req.datasetSize, req.points);
  },
  async 'config:validate'(req) {
    const r = checkConfig(req.config);
    return r.ok ? { ok: true, config: r.config } : { ok: false, errors: r.errors };
  },
  async 'backend:info'(_req, ctx) {
    return currentBackend() ?? trainControllerFor(ctx).trainingBackend() ?? (await ensureBackend('auto'));
  },
};
