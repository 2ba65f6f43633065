// The device check's driver (runs inside the unpacked pack): times `bench-train --backend webgpu` beside the PyTorch anchor on CUDA (fp32 and --amp) on the same configs, and prints ONE JSON line with both and the ratios.
// Usage: ./node gpu-bench-run.mjs [--tiny] [--steps N] [--budget-s S] [--anchor-device cuda|cpu|none]   (MC_PYTHON: the Python with PyTorch, default python3)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const tiny = argv.includes('--tiny');
const steps = Number(opt('steps', tiny ? 1 : 3));
const anchorDevice = opt('anchor-device', tiny ? 'cpu' : 'cuda');
const started = Date.now();
const budgetMs = Number(opt('budget-s', 540)) * 1000;
const python = process.env.MC_PYTHON || 'python3';

/** The configs: ViT-Tiny/16 batch 16 and ViT-S/16 batch 64, 224/96 x8, out_dim 4096, head 2048/256 (the anchor's head). */
const CONFIGS = tiny
  ? [{ name: 'tiny-check', arch: 'vit_tiny', embed: 192, heads: 3, depth: 1, global: 32, local: 16, locals: 1, batch: 2, outDim: 64 }]
  : [
      { name: 'vit_tiny16_b16', arch: 'vit_tiny', embed: 192, heads: 3, depth: 12, global: 224, local: 96, locals: 8, batch: 16, outDim: 4096 },
      { name: 'vit_small16_b64', arch: 'vit_small', embed: 384, heads: 6, depth: 12, global: 224, local: 96, locals: 8, batch: 64, outDim: 4096 },
    ];

function lastJson(text) {
  const line = (text ?? '').trim().split('\n').reverse().find((l) => l.startsWith('{'));
  try {
    return line ? JSON.parse(line) : null;
  } catch {
    return null;
  }
}

function left() {
  return Math.max(5_000, budgetMs - (Date.now() - started));
}

function run(cmd, args, share) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: Math.floor(left() * share), env: process.env });
  const seconds = Math.round((Date.now() - t0) / 100) / 10;
  const json = lastJson(r.stdout);
  if (json) return { ...json, wallSeconds: seconds };
  const why = r.error?.code === 'ETIMEDOUT' ? `timed out after ${seconds} s` : `exit ${r.status ?? r.signal}`;
  return { error: `${why}: ${(r.stderr || r.stdout || '').trim().slice(-600)}`, wallSeconds: seconds };
}

const results = [];
for (const [i, c] of CONFIGS.entries()) {
  const share = 1 / (CONFIGS.length - i); // this config's share of what is left
  const bench = run(
    join(here, 'node'),
    [
      join(here, 'cli.mjs'), 'bench-train', '--backend', 'webgpu', '--json', '--no-anchor', '--steps', String(steps),
      '--arch', c.arch, '--depth', String(c.depth), '--patch-size', '16', '--global-size', String(c.global), '--local-size', String(c.local),
      '--local-crops', String(c.locals), '--batch-size', String(c.batch), '--out-dim', String(c.outDim),
      '--head-hidden-dim', tiny ? '32' : '2048', '--head-bottleneck-dim', tiny ? '16' : '256',
    ],
    share * 0.6,
  );
  const anchorArgs = [
    join(here, 'torch_dino_step.py'), '--json', '--device', anchorDevice, '--steps', String(steps), '--embed', String(c.embed), '--depth', String(c.depth),
    '--heads', String(c.heads), '--patch', '16', '--global-size', String(c.global), '--local-size', String(c.local), '--locals', String(c.locals),
    '--batch', String(c.batch), '--out-dim', String(c.outDim),
  ];
  const torchOk = anchorDevice !== 'none' && existsSync(join(here, 'torch_dino_step.py'));
  const fp32 = torchOk ? run(python, anchorArgs, 0.5) : { error: 'anchor skipped (--anchor-device none)' };
  // --amp is fp16 autocast, which PyTorch offers on CUDA only (its CPU autocast takes bfloat16).
  const amp = !torchOk ? { error: 'anchor skipped (--anchor-device none)' } : anchorDevice === 'cuda' ? run(python, [...anchorArgs, '--amp'], 1) : { error: `amp anchor skipped on ${anchorDevice} (fp16 autocast needs cuda)` };
  const ours = typeof bench.imagesPerSec === 'number' ? bench.imagesPerSec : null;
  const ratio = (t) => (ours !== null && typeof t.images_per_sec === 'number' ? Math.round((ours / t.images_per_sec) * 1000) / 1000 : null);
  results.push({
    config: c.name,
    webgpu: {
      imagesPerSec: ours,
      msPerStep: bench.msPerStep ?? null,
      adapter: bench.adapter ?? null,
      backendReason: bench.backendReason ?? null,
      layout: bench.layout ?? null,
      sameAsTrain: bench.sameAsTrain ?? null,
      tensorsBefore: bench.tensorsBefore ?? null,
      tensorsAfter: bench.tensorsAfter ?? null,
      gpuBytesBefore: bench.gpuBytesBefore ?? null,
      gpuBytesAfter: bench.gpuBytesAfter ?? null,
      wallSeconds: bench.wallSeconds,
      ...(bench.error ? { error: bench.error } : {}),
    },
    torchFp32: { imagesPerSec: fp32.images_per_sec ?? null, device: fp32.device ?? null, framework: fp32.framework ?? null, ...(fp32.error ? { error: fp32.error } : {}) },
    torchAmp: { imagesPerSec: amp.images_per_sec ?? null, device: amp.device ?? null, ...(amp.error ? { error: amp.error } : {}) },
    ratioVsFp32: ratio(fp32),
    ratioVsAmp: ratio(amp),
  });
}
process.stdout.write(
  JSON.stringify({ kind: 'gpu-bench', tiny, steps, anchorDevice, node: process.version, seconds: Math.round((Date.now() - started) / 1000), results }) + '\n',
);
