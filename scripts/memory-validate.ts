// Compares the memory model with measured peak RSS: runs `multicrop bench-train --json` (real DINO steps, one thread) for three configurations and prints estimate vs measured.
//
//   node --import tsx scripts/memory-validate.ts [--backend wasm|cpu] [--steps N] [--json]
//
// bench-train feeds synthetic batches (no loader threads), so the estimate is taken with workers 0 and prefetch 1
// (the one batch it holds); each configuration runs in its own process, so its peak RSS is that configuration's.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RECIPE_DEFAULTS, flagName, type StudioConfig } from '../src/shared/config-schema';
import { estimateMemory, type MemoryBackend } from '../src/engine/memory/estimate-memory';

/** Three configurations small enough for a 2-core CPU, spanning 0.3-1.6 GB and both architectures. */
export const VALIDATION_CONFIGS: Record<string, Partial<StudioConfig>> = {
  'vit_tiny d2 64/32 x2 K1024 b8': { arch: 'vit_tiny', depth: 2, globalSize: 64, localSize: 32, localCrops: 2, outDim: 1024, headHiddenDim: 256, headBottleneckDim: 64, batchSize: 8 },
  'vit_tiny d4 96/48 x4 K4096 b16': { arch: 'vit_tiny', depth: 4, globalSize: 96, localSize: 48, localCrops: 4, outDim: 4096, headHiddenDim: 512, headBottleneckDim: 128, batchSize: 16 },
  'vit_small d3 112/48 x6 K8192 b8': { arch: 'vit_small', depth: 3, globalSize: 112, localSize: 48, localCrops: 6, outDim: 8192, headHiddenDim: 1024, headBottleneckDim: 256, batchSize: 8 },
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const backend = (arg('--backend') ?? 'wasm') as MemoryBackend;
const steps = arg('--steps') ?? '2';
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const rows: { name: string; estimatedMb: number; measuredPeakRssMb: number; errorPct: number }[] = [];
for (const [name, over] of Object.entries(VALIDATION_CONFIGS)) {
  const flags = Object.entries(over).flatMap(([k, v]) => [flagName(k), String(v)]);
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'bench-train', '--json', '--no-anchor', '--threads', '1', '--steps', steps, '--backend', backend, ...flags],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 24 },
  );
  const measured = (JSON.parse(out.trim().split('\n').at(-1)!) as { peakRssMb: number }).peakRssMb;
  const est = estimateMemory({ ...RECIPE_DEFAULTS, ...over, workers: 0, prefetch: 1 }, { backend, systemAvailableMb: 1e9 });
  const row = { name, estimatedMb: est.totalMb, measuredPeakRssMb: measured, errorPct: Math.round(((est.totalMb - measured) / measured) * 1000) / 10 };
  rows.push(row);
  if (!process.argv.includes('--json')) console.log(`${name} (${backend}): estimated ${row.estimatedMb} MB, measured peak RSS ${measured} MB (${row.errorPct}%)`);
}
if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
