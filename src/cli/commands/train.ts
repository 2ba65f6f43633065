// `multicrop train`: train (or resume) a DINO run on an image folder, with a progress line; Ctrl-C saves a checkpoint and stops.
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { flagName } from '../../shared/config-schema';
import type { MetricRow, TrainStatus } from '../../shared/ipc-contract';
import { scanDataset } from '../../engine/dataset/scan-dataset';
import { StudioFailure } from '../../engine/studio-failure';
import { readRunConfig } from '../../engine/train/run-store';
import { checkConfig, datasetProblems, imagesPerStep, stepsPerEpoch } from '../../engine/train/train-config';
import { TrainControl } from '../../engine/train/train-control';
import { assembleRun, describeLayout } from '../../engine/train/assemble-run';
import { newRunDir } from '../../engine/train/train-loop';
import { resolveDataDir, runsDirOf } from '../../engine/roots/data-dir';
import { importWeightsFile, WeightsImportError } from '../../engine/io/weights-import';
import { initialTensorsFromWeights } from '../../engine/io/weights-init';
import { estimateMemory } from '../../engine/memory/estimate-memory';
import { formatMemoryEstimate } from '../../engine/memory/format-memory-estimate';
import { systemAvailableMb } from '../../engine/memory/available-memory';
import { predictBackend } from '../../engine/backends/select-backend';
import type { NamedTensors } from '../../engine/train/step-types';
import type { CliCommand } from '../cli-command';
import { stopOnSignals } from '../stop-on-signals';

function duration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '?';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(t % 60).padStart(2, '0')}s` : `${t % 60}s`;
}

export function progressLine(row: MetricRow, st: TrainStatus | null, epochs: number): string {
  const total = st?.totalSteps ?? 0;
  return (
    `epoch ${row.epoch + 1}/${epochs}  step ${row.step}/${total}  loss ${row.loss.toFixed(4)}  ` +
    `${row.imagesPerSec.toFixed(1)} img/s  loader wait ${row.loaderWaitMs.toFixed(0)} ms  ETA ${duration(st?.etaSeconds ?? null)}` +
    (row.knnTop1 !== undefined ? `  k-NN top-1 ${(row.knnTop1 * 100).toFixed(1)} % (step ${row.knnStep})` : '') +
    (st?.warning ? `  [${st.warning.kind} collapse?]` : '')
  );
}

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'Train (or resume) DINO on a folder of images; writes config.json, metrics.jsonl and checkpoints/ in the run folder.',
  spec: {
    positionals: ['[DATASET_DIR]'],
    config: true,
    options: [
      { name: 'data', type: 'string', value: 'DIR', help: 'Dataset folder (ImageFolder class subfolders, or any folder of images); or give it as the first argument' },
      { name: 'run', type: 'string', value: 'DIR', help: 'Run folder (created if missing); default: a new folder in the data folder\'s runs/, listed by the app' },
      { name: 'maxSteps', type: 'number', value: 'N', help: 'Stop (with a checkpoint) when the global step reaches N; 0 writes only the step-0 checkpoint' },
      { name: 'maxMinutes', type: 'number', value: 'M', help: 'Stop (with a checkpoint) after M minutes' },
      { name: 'resume', type: 'boolean', help: 'Continue the run folder from its newest valid checkpoint (its saved config is used)' },
      { name: 'allowDatasetChange', type: 'boolean', help: 'With --resume: continue although the dataset changed (not an exact continuation)' },
      { name: 'initWeights', type: 'string', value: 'FILE', help: 'Start a new run from a .safetensors ViT backbone (official DINO/timm names; the head too when its dims match)' },
      { name: 'threads', type: 'number', value: 'N', help: "Model threads sharing each step (data-parallel replicas, same update); default: planned from this machine's cores" },
      { name: 'dryRun', type: 'boolean', help: 'Validate the settings against the dataset, print the plan, train nothing' },
    ],
  },
  async run(args) {
    const err = (m: string) => process.stderr.write(`multicrop train: ${m}\n`);
    if (args.positionals.length > 1) {
      err(`expected at most one dataset folder, got ${args.positionals.join(' ')}`);
      return 2;
    }
    const data = (args.options.data as string | undefined) ?? args.positionals[0];
    const runOpt = args.options.run as string | undefined;
    if (!data) {
      err('--data DIR is required (e.g. multicrop train --data ~/images --run ~/runs/first)');
      return 2;
    }
    try {
      if (!(await stat(data)).isDirectory()) {
        err(`${resolve(data)} is a file, not a folder; give the folder that holds the images`);
        return 2;
      }
    } catch {
      err(`the dataset folder ${resolve(data)} does not exist; check the path`);
      return 2;
    }
    const maxSteps = args.options.maxSteps as number | undefined;
    const maxMinutes = args.options.maxMinutes as number | undefined;
    if (maxSteps !== undefined && !(Number.isInteger(maxSteps) && maxSteps >= 0)) {
      err(`--max-steps ${maxSteps} must be a whole number >= 0`);
      return 2;
    }
    if (maxMinutes !== undefined && !(maxMinutes > 0)) {
      err(`--max-minutes ${maxMinutes} must be a positive number`);
      return 2;
    }
    const threads = args.options.threads as number | undefined;
    if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
      err(`--threads ${threads} must be a whole number >= 1`);
      return 2;
    }
    if (!runOpt && args.options.resume) {
      err('--resume needs --run DIR: the run folder to continue');
      return 2;
    }
    // Without --run, a new run in the app's runs folder (the desktop app and web UI list it).
    const runDir = resolve(runOpt ?? newRunDir(runsDirOf(resolveDataDir()), basename(resolve(data))));
    const resume = Boolean(args.options.resume);
    let config = args.config;
    if (resume) {
      const saved = await readRunConfig(runDir);
      if (saved) {
        const c = checkConfig(saved);
        if (!c.ok) {
          err(`${runDir}/config.json is invalid:\n  ${c.errors.join('\n  ')}`);
          return 2;
        }
        if (args.explicit.size) {
          process.stderr.write(
            `multicrop train: --resume uses the run's saved settings; ignoring ${[...args.explicit].map(flagName).join(', ')}\n`,
          );
        }
        config = c.config;
      }
    }

    const scan = await scanDataset(resolve(data), { maxPixels: config.maxPixels });
    const images = scan.images;
    const problems = datasetProblems(config, images.length, scan.root);
    const spe = stepsPerEpoch(config, images.length);
    const plan = {
      run: runDir,
      dataset: scan.root,
      images: images.length,
      skipped: scan.skipped.length,
      imagesPerStep: imagesPerStep(config),
      stepsPerEpoch: spe,
      totalSteps: spe * config.epochs,
      config,
    };
    if (!args.json) {
      process.stdout.write(
        `Dataset ${scan.root}: ${images.length} images${scan.skipped.length ? `, ${scan.skipped.length} skipped (${[...new Set(scan.skipped.map((s) => s.reason))].join(', ')})` : ''}\n` +
          `Config: ${JSON.stringify(config)}\n`,
      );
    }
    if (problems.length) {
      err(problems.join('\n'));
      return 2;
    }
    let initial: NamedTensors | undefined;
    const initWeights = args.options.initWeights as string | undefined;
    if (initWeights !== undefined) {
      if (resume) {
        err('--init-weights starts a new run; it cannot be combined with --resume (the checkpoint already holds the weights)');
        return 2;
      }
      try {
        const init = initialTensorsFromWeights(config, await importWeightsFile(resolve(initWeights)));
        initial = init.tensors;
        if (!args.json) process.stdout.write(`Initial weights: ${resolve(initWeights)} (backbone${init.headFromFile ? ' and head' : '; head initialised from the seed'})\n`);
      } catch (e) {
        if (e instanceof WeightsImportError) {
          err(`--init-weights: ${e.message}`);
          return 2;
        }
        throw e;
      }
    }
    if (args.options.dryRun) {
      const predicted = await predictBackend(config.backend);
      const memory = estimateMemory(config, { backend: predicted.name, adapter: predicted.adapter, systemAvailableMb: systemAvailableMb() });
      if (args.json) process.stdout.write(JSON.stringify({ ok: true, ...plan, memory }) + '\n');
      else
        process.stdout.write(
          `Plan: ${plan.stepsPerEpoch} steps per epoch x ${config.epochs} epochs = ${plan.totalSteps} steps of ${plan.imagesPerStep} images into ${runDir}; nothing trained (--dry-run).\n` +
            `${formatMemoryEstimate(memory)}\n`,
        );
      return 0;
    }

    const run = await assembleRun(config, { replicas: threads });
    if (!args.json) process.stdout.write(`Backend: ${run.layout.backend.name} (${run.layout.backend.reason})\nLayout: ${describeLayout(run.layout)}\nRun folder: ${runDir}\n`);

    const control = new TrainControl();
    const releaseSignals = stopOnSignals(control, 'train');

    const tty = !args.json && process.stdout.isTTY === true;
    let last: TrainStatus | null = null;
    let lastPrint = 0;
    let lastRow: MetricRow | null = null;
    try {
      const out = await run.train({
        runDir,
        dataset: scan.root,
        images,
        resume,
        allowDatasetChange: Boolean(args.options.allowDatasetChange),
        maxSteps: maxSteps ?? null,
        maxMinutes: maxMinutes ?? null,
        initial,
        control,
        events: {
          status: (s) => (last = s),
          metrics: (row) => {
            lastRow = row;
            if (args.json) process.stdout.write(JSON.stringify({ metrics: row }) + '\n');
            else if (tty) process.stdout.write(`\r${progressLine(row, last, config.epochs)}\x1b[K`);
            else if (Date.now() - lastPrint > 5000) {
              lastPrint = Date.now();
              process.stdout.write(progressLine(row, last, config.epochs) + '\n');
            }
          },
          log: (level, message) => {
            if (level !== 'info') process.stderr.write(`${tty ? '\n' : ''}multicrop train: ${level}: ${message}\n`);
          },
        },
      });
      const s = out.status;
      if (args.json) process.stdout.write(JSON.stringify({ status: s, lastCheckpoint: out.lastCheckpoint }) + '\n');
      else {
        if (tty) process.stdout.write('\n');
        else if (lastRow) process.stdout.write(progressLine(lastRow, last, config.epochs) + '\n');
        process.stdout.write(
          `Run ${s.state} at step ${s.step}/${s.totalSteps} (epoch ${s.epoch}); last checkpoint ${out.lastCheckpoint ?? 'none'} in ${runDir}/checkpoints` +
            (s.error ? `\n${s.error}` : '') +
            '\n',
        );
      }
      return s.state === 'failed' ? 1 : 0;
    } catch (e) {
      if (tty) process.stdout.write('\n');
      if (e instanceof StudioFailure) {
        err(e.message);
        return e.code === 'bad_input' || e.code === 'busy' ? 2 : 1;
      }
      throw e;
    } finally {
      releaseSignals();
    }
  },
};
