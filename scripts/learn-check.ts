// The learn check (issue 4 "Show"): train on hymenoptera/train, then k-NN top-1 on hymenoptera/val of the teacher at step 0 vs at the end.
// Usage: node --import tsx scripts/learn-check.ts [--data DIR (with train/ and val/; default hymenoptera)] [--run DIR] [--minutes M] [--knn-size N (eval crop; default the run's global size)] [-- extra train flags]; prints one JSON object.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const extra = dash >= 0 ? argv.slice(dash + 1) : [];
const flag = (name: string, dflt: string) => {
  const i = own.indexOf(name);
  return i >= 0 && i + 1 < own.length ? own[i + 1]! : dflt;
};
const shared = resolve(flag('--data', resolve(repo, '../shared/datasets/hymenoptera')));
const runDir = resolve(flag('--run', join(mkdtempSync(join(tmpdir(), 'learn-check-')), 'run')));
const minutes = flag('--minutes', '30');
const knnSize = flag('--knn-size', '');

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`multicrop ${args[0]} exited with ${r.status}`);
  return r.stdout;
}
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;

const t0 = Date.now();
const trained = lastJson(cli(['train', join(shared, 'train'), '--run', runDir, '--preset', 'cpu-small', '--max-minutes', minutes, '--json', ...extra]));
const trainMinutes = (Date.now() - t0) / 60000;
const knn = (checkpoint?: string) =>
  lastJson(cli(['knn', '--run', runDir, ...(checkpoint ? ['--checkpoint', checkpoint] : []), '--train', join(shared, 'train'), '--val', join(shared, 'val'), ...(knnSize ? ['--size', knnSize] : []), '--json']));
const init = knn('step-00000000');
const end = knn();
const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as Record<string, unknown>;
const status = trained.status as { step: number; totalSteps: number; backend: unknown };
process.stdout.write(
  JSON.stringify({
    runDir,
    data: shared,
    knnSize: knnSize ? Number(knnSize) : null,
    steps: status.step,
    totalSteps: status.totalSteps,
    trainMinutes: Number(trainMinutes.toFixed(2)),
    backend: status.backend,
    knnTop1AtInit: init.top1,
    knnTop1Trained: end.top1,
    trainedCheckpoint: end.checkpoint,
    learned: (end.top1 as number) > (init.top1 as number),
    config,
  }) + '\n',
);
