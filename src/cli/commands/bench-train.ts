// `multicrop bench-train`: images/s of the training step `train` runs (same assembled system and layout) on synthetic crops, against PyTorch.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RECIPE_DEFAULTS, type StudioConfig } from '../../shared/config-schema';
import * as tf from '../../engine/tf/tfjs';
import { assembleRun, describeLayout, planLayout } from '../../engine/train/assemble-run';
import { modelConfigs } from '../../engine/train/dino-system';
import { ParallelDinoSystem } from '../../engine/train/parallel-dino-system';
import { scheduleAt } from '../../engine/train/schedules';
import { syntheticBatch } from '../../engine/train/synthetic-batch';
import type { AttentionMode } from '../../engine/model/attention';
import { ATTENTION_LAYOUTS } from '../../engine/backends/backend-descriptor';
import { adapterLabel } from '../../engine/backends/webgpu-adapter';
import { output, type CliCommand } from '../cli-command';
import { probeGemm, type GemmProbe } from './gemm-probe';
import { STEP_BENCH_SETTINGS } from '../command-settings';

const PYTHON = '/usr/bin/python3';

/** The anchor's own configuration (torch_dino_step.py defaults): ViT-Tiny/16, 224/96 x8, batch 16, out_dim 4096. */
export const ANCHOR_CONFIG: Partial<StudioConfig> = {
  arch: 'vit_tiny',
  patchSize: 16,
  depth: 12,
  globalSize: 224,
  localSize: 96,
  localCrops: 8,
  batchSize: 16,
  outDim: 4096,
  headHiddenDim: 2048,
  headBottleneckDim: 256,
  accumulate: 1,
};

/** Bytes of tensors in GPU buffers (tfjs's own count; null off GPU backends). */
function gpuBytes(): number | null {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return typeof m.numBytesInGPU === 'number' ? m.numBytesInGPU : null;
}

function anchorScript(): string | null {
  const candidates = [resolve(process.cwd(), '../shared/anchors/torch_dino_step.py')];
  const here = fileURLToPath(import.meta.url);
  for (let dir = resolve(here, '..'), k = 0; k < 6; k++, dir = resolve(dir, '..')) candidates.push(resolve(dir, '../shared/anchors/torch_dino_step.py'));
  return candidates.find((p) => existsSync(p)) ?? null;
}

interface AnchorResult {
  imagesPerSec: number | null;
  note: string;
}

function runAnchor(c: StudioConfig, steps: number): AnchorResult {
  const script = anchorScript();
  if (!script) return { imagesPerSec: null, note: '../shared/anchors/torch_dino_step.py not found' };
  if (!existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) {
    return { imagesPerSec: null, note: `${PYTHON} with torch not available (apt-get install -y python3-torch)` };
  }
  const { vit } = modelConfigs(c);
  if (c.headHiddenDim !== 2048 || c.headBottleneckDim !== 256) {
    return { imagesPerSec: null, note: 'the anchor has a fixed 2048/256 head; use --head-hidden-dim 2048 --head-bottleneck-dim 256 to compare' };
  }
  const argv = [script, '--json', '--embed', String(vit.embedDim), '--depth', String(vit.depth), '--heads', String(vit.heads)];
  argv.push('--patch', String(c.patchSize), '--global-size', String(c.globalSize), '--local-size', String(c.localSize));
  argv.push('--locals', String(c.localCrops), '--batch', String(c.batchSize * c.accumulate), '--out-dim', String(c.outDim));
  argv.push('--steps', String(steps), '--threads', '2');
  const r = spawnSync(PYTHON, argv, { encoding: 'utf8', maxBuffer: 1 << 20 });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    const j = JSON.parse(line) as { images_per_sec: number; framework: string };
    return { imagesPerSec: j.images_per_sec, note: `${j.framework}, 2 threads, ${steps} steps after 1 warm-up step` };
  } catch {
    return { imagesPerSec: null, note: `the anchor failed: ${(r.stderr || r.stdout || '').trim().slice(-300)}` };
  }
}

export const benchTrainCommand: CliCommand = {
  name: 'bench-train',
  summary: 'Time full DINO training steps (teacher + student multi-crop forward, loss, backward, AdamW, EMA) on synthetic crops, against PyTorch.',
  spec: {
    config: STEP_BENCH_SETTINGS,
    options: [
      { name: 'steps', type: 'number', value: 'N', help: 'Timed steps after one warm-up step.', default: 3 },
      { name: 'patch', type: 'number', value: 'P', help: 'Alias of --patch-size.' },
      { name: 'locals', type: 'number', value: 'N', help: 'Alias of --local-crops.' },
      { name: 'batch', type: 'number', value: 'B', help: 'Alias of --batch-size.' },
      { name: 'attention', type: 'string', value: 'MODE', help: 'Attention layout: pairs (2-D matMuls per image and head), batched, or fused (one loop kernel per layer; wasm and cpu); default: the one train uses on this backend.' },
      { name: 'threads', type: 'number', value: 'N', help: 'Threads sharing each batch (data-parallel replicas); default: the number train uses on this machine.' },
      { name: 'profile', type: 'boolean', help: 'Also profile one step and list the kernels where the time goes.', default: false },
      { name: 'gemm', type: 'boolean', help: "Also time one ViT-sized matMul (global tokens x width x 4 width) here and in PyTorch, one thread each: the backend's ceiling.", default: false },
      { name: 'anchor', type: 'boolean', help: 'Run the PyTorch anchor (torch_dino_step.py) in the same command (--no-anchor to skip).', default: true },
    ],
  },
  async run(args) {
    // A preset or a config file is the base when given; otherwise the anchor's own configuration.
    const presetGiven = process.argv.some((a) => ['--preset', '--config'].includes(a) || a.startsWith('--preset=') || a.startsWith('--config='));
    const base: StudioConfig = presetGiven ? args.config : { ...RECIPE_DEFAULTS, ...ANCHOR_CONFIG };
    const explicit: Partial<StudioConfig> = {};
    for (const k of args.explicit) (explicit as Record<string, unknown>)[k] = args.config[k];
    const c: StudioConfig = { ...base, ...explicit };
    if (typeof args.options.patch === 'number') c.patchSize = args.options.patch as 8 | 16;
    if (typeof args.options.locals === 'number') c.localCrops = args.options.locals;
    if (typeof args.options.batch === 'number') c.batchSize = args.options.batch;
    const steps = Math.max(1, Math.floor(Number(args.options.steps ?? 3)));
    const attention = args.options.attention as AttentionMode | undefined;
    if (attention !== undefined && !ATTENTION_LAYOUTS.includes(attention)) {
      process.stderr.write(`multicrop bench-train: --attention must be ${ATTENTION_LAYOUTS.join(', ')}, got "${attention}"\n`);
      return 2;
    }
    const threadsOpt = args.options.threads === undefined ? undefined : Math.max(1, Math.floor(Number(args.options.threads)));
    // The run `train` would assemble from this config, with --threads / --attention overriding its layout if given.
    const run = await assembleRun(c, { replicas: threadsOpt, attention });
    const { layout } = run;
    const backend = layout.backend;
    const trainLayout = planLayout(c, backend, { cores: layout.cores });
    const sameAsTrain = layout.replicas === trainLayout.replicas && layout.attention === trainLayout.attention;
    const threads = layout.replicas;
    const sys = await run.createSystem(c, c.seed);
    const micro = Array.from({ length: c.accumulate }, (_, i) => syntheticBatch(c, i));
    const sched = scheduleAt(c, 1000, 10);
    if (!args.json) process.stderr.write(`bench-train: ${backend.name} (${backend.reason}); warm-up step...\n`);
    await sys.step(micro, sched);
    const tensorsBefore = tf.memory().numTensors;
    const gpuBytesBefore = gpuBytes();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      await sys.step(micro, sched);
      if (!args.json) process.stderr.write(`bench-train: step ${i + 1}/${steps} ${((performance.now() - t0) / (i + 1)).toFixed(0)} ms/step\n`);
    }
    const dt = (performance.now() - t0) / 1000;
    const tensorsAfter = tf.memory().numTensors;
    const gpuBytesAfter = gpuBytes();
    const images = c.batchSize * c.accumulate;
    const imagesPerSec = (steps * images) / dt;
    let profile: { kernel: string; ms: number; calls: number; share: number }[] | undefined;
    if (args.options.profile && sys instanceof ParallelDinoSystem) {
      process.stderr.write('bench-train: --profile covers the main thread only; use --threads 1 for a whole-step profile\n');
    }
    if (args.options.profile) {
      const prof = await tf.profile(async () => {
        await sys.step(micro, sched);
      });
      const agg = new Map<string, { ms: number; calls: number }>();
      for (const k of prof.kernels) {
        // backend kernels only: custom-gradient scopes and composite ops contain kernels already counted
        if (!tf.getKernel(k.name, backend.name)) continue;
        const a = agg.get(k.name) ?? { ms: 0, calls: 0 };
        a.ms += Number(k.kernelTimeMs) || 0;
        a.calls++;
        agg.set(k.name, a);
      }
      const total = [...agg.values()].reduce((s, a) => s + a.ms, 0);
      profile = [...agg.entries()]
        .map(([kernel, a]) => ({ kernel, ms: Math.round(a.ms), calls: a.calls, share: Math.round((1000 * a.ms) / total) / 1000 }))
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 15);
    }
    await sys.dispose();
    let gemm: GemmProbe | undefined;
    if (args.options.gemm) {
      const tokens = (c.globalSize / c.patchSize) ** 2 + 1;
      const width = modelConfigs(c).vit.embedDim;
      gemm = probeGemm(2 * c.batchSize * tokens, width, 4 * width, PYTHON);
    }
    const anchor = args.options.anchor === false ? { imagesPerSec: null, note: 'skipped (--no-anchor)' } : runAnchor(c, steps);
    const result = {
      imagesPerSec: Math.round(imagesPerSec * 1000) / 1000,
      msPerStep: Math.round((dt * 1000) / steps),
      backend: backend.name,
      backendReason: backend.reason,
      adapter: backend.adapter,
      attention: layout.attention,
      threads,
      /** The layout timed (model threads, loader workers, attention, batch), and whether it is the one `train` runs. */
      layout: { ...layout, backend: backend.name },
      sameAsTrain,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      tensorsBefore,
      tensorsAfter,
      gpuBytesBefore,
      gpuBytesAfter,
      anchorImagesPerSec: anchor.imagesPerSec === null ? null : Math.round(anchor.imagesPerSec * 1000) / 1000,
      ratio: anchor.imagesPerSec ? Math.round((imagesPerSec / anchor.imagesPerSec) * 1000) / 1000 : null,
      anchorNote: anchor.note,
      steps,
      config: {
        arch: c.arch,
        depth: c.depth,
        patchSize: c.patchSize,
        globalSize: c.globalSize,
        localSize: c.localSize,
        localCrops: c.localCrops,
        batchSize: c.batchSize,
        accumulate: c.accumulate,
        outDim: c.outDim,
        headHiddenDim: c.headHiddenDim,
        headBottleneckDim: c.headBottleneckDim,
      },
      ...(profile ? { profile } : {}),
      ...(gemm ? { gemm } : {}),
    };
    output(args, result, () =>
      [
        `DINO training step, ${c.arch}/${c.patchSize} depth ${c.depth}, ${c.globalSize}px x2 + ${c.localSize}px x${c.localCrops}, batch ${images}, out_dim ${c.outDim}`,
        `  ${describeLayout(layout)}${sameAsTrain ? ' (as train runs it)' : ` (train runs: ${describeLayout(trainLayout)})`}`,
        `  ${backend.name} (${backend.reason}), attention ${layout.attention}, ${threads} thread(s): ${result.imagesPerSec} images/s (${result.msPerStep} ms/step), peak RSS ${result.peakRssMb} MB, tensors ${tensorsBefore} -> ${tensorsAfter}`,
        ...(backend.adapter
          ? [`  adapter: ${adapterLabel(backend.adapter)}; maxBufferSize ${backend.adapter.limits.maxBufferSize}, maxStorageBufferBindingSize ${backend.adapter.limits.maxStorageBufferBindingSize}; GPU bytes ${gpuBytesBefore} -> ${gpuBytesAfter}`]
          : []),
        `  PyTorch anchor: ${result.anchorImagesPerSec ?? 'n/a'} images/s (${anchor.note})${result.ratio !== null ? `; ratio ${result.ratio}x` : ''}`,
        ...(gemm
          ? [`  matMul [${gemm.shape.join(' x ')}] one thread: ours ${gemm.oursGflops} GFLOP/s, PyTorch ${gemm.torchGflops ?? 'n/a'} GFLOP/s (${gemm.torchNote})`]
          : []),
        ...(profile ? ['  kernels (one step):', ...profile.map((p) => `    ${p.kernel.padEnd(16)} ${String(p.ms).padStart(7)} ms  ${String(p.calls).padStart(6)} calls  ${(p.share * 100).toFixed(1)}%`)] : []),
      ].join('\n'),
    );
    return 0;
  },
};
