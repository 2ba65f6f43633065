// The learn check (issues 4 and 15): train on DATA/train, then report as ONE JSON line the teacher's k-NN on DATA/val at step 0 and at the end, the online k-NN curve, its cost, the attention share on the objects (where masks exist), steps, minutes, seed and machine load.
// Usage: node --import tsx scripts/learn-check.ts [--data DIR|sample (train/ and val/; default hymenoptera; 'sample' = the app's built-in sample, generated into a temp folder)]
//          [--run DIR] [--minutes M] [--steps N] [--knn-size N (offline eval crop; default the run's global size)] [-- extra train flags, e.g. --seed 1 --preset sample]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSampleDataset } from '../src/engine/sample/sample-dataset';
import { parseMetrics } from '../src/engine/train/metrics-log';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const extra = dash >= 0 ? argv.slice(dash + 1) : [];
const flag = (name: string, dflt: string) => {
  const i = own.indexOf(name);
  return i >= 0 && i + 1 < own.length ? own[i + 1]! : dflt;
};
const work = mkdtempSync(join(tmpdir(), 'learn-check-'));
const dataArg = flag('--data', resolve(repo, '../shared/datasets/hymenoptera'));
const data = dataArg === 'sample' ? await ensureSampleDataset(join(work, 'data')) : resolve(dataArg);
const runDir = resolve(flag('--run', join(work, 'run')));
const minutes = flag('--minutes', '30');
const steps = flag('--steps', '');
const knnSize = flag('--knn-size', '');
const preset = extra.includes('--preset') ? [] : ['--preset', 'cpu-small'];

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`multicrop ${args[0]} exited with ${r.status}`);
  return r.stdout;
}
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
const load = () => loadavg().map((v) => Number(v.toFixed(2)));

const loadBefore = load();
const t0 = Date.now();
const trained = lastJson(
  cli(['train', join(data, 'train'), '--run', runDir, ...preset, '--max-minutes', minutes, ...(steps ? ['--max-steps', steps] : []), '--json', ...extra]),
);
const trainMinutes = (Date.now() - t0) / 60000;
const loadAfter = load();
const knn = (checkpoint?: string) =>
  lastJson(cli(['knn', '--run', runDir, ...(checkpoint ? ['--checkpoint', checkpoint] : []), '--train', join(data, 'train'), '--val', join(data, 'val'), ...(knnSize ? ['--size', knnSize] : []), '--json']));
const init = knn('step-00000000');
const end = knn();
const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as Record<string, unknown>;
const status = trained.status as { step: number; totalSteps: number; backend: unknown };
const rows = parseMetrics(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8'));
const evals = rows.filter((r) => r.knnTop1 !== undefined);
const stepMs = rows.map((r) => r.stepMs + r.loaderWaitMs).sort((a, b) => a - b);
const onlineSeconds = evals.reduce((s, r) => s + (r.knnSeconds ?? 0), 0);
const first = evals[0];
const last = evals.at(-1);
const pts = (v: number | undefined) => (v === undefined ? null : Number((100 * v).toFixed(2)));
const attn = (r: (typeof rows)[number] | undefined) =>
  r?.attnObjectShare === undefined
    ? null
    : { step: r.knnStep, mean: r.attnObjectShare, perHead: r.attnObjectShareHeads, objectShare: r.attnObjectBaseline, ratio: r.attnObjectShare / r.attnObjectBaseline! };
process.stdout.write(
  JSON.stringify({
    data,
    runDir,
    seed: config.seed,
    preset: preset.length ? 'cpu-small' : extra[extra.indexOf('--preset') + 1],
    extra,
    steps: status.step,
    totalSteps: status.totalSteps,
    trainMinutes: Number(trainMinutes.toFixed(2)),
    medianStepSeconds: stepMs.length ? Number((stepMs[Math.floor(stepMs.length / 2)]! / 1000).toFixed(3)) : null,
    loadAverage: { before: loadBefore, after: loadAfter },
    backend: status.backend,
    knnSize: knnSize ? Number(knnSize) : null,
    knnTop1AtInit: init.top1,
    knnTop1Trained: end.top1,
    gainPoints: Number((100 * ((end.top1 as number) - (init.top1 as number))).toFixed(2)),
    trainedCheckpoint: end.checkpoint,
    learned: (end.top1 as number) > (init.top1 as number),
    online: {
      every: config.knnEvery,
      curve: evals.map((r) => [r.knnStep, pts(r.knnTop1), pts(r.knnTop5 ?? undefined)]),
      top1AtStep0: first?.knnStep === 0 ? first.knnTop1 : null,
      top1AtEnd: last?.knnTop1 ?? null,
      seconds: Number(onlineSeconds.toFixed(1)),
      shareOfTrainTime: Number((onlineSeconds / (trainMinutes * 60)).toFixed(4)),
    },
    attentionOnObjects: first?.attnObjectShare === undefined ? null : { atStep0: attn(first), atEnd: attn(last) },
    config,
  }) + '\n',
);
