// `multicrop bench-preview`: latency of the augmentation lab's redraw through the engine (as the UI requests it), while idle, training, or running a k-NN.
import { resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createNodeEngineClient } from '../../engine/engine-client-node';
import type { ForkedEngineClient } from '../../engine/engine-client';
import { augmentPart, RECIPE_DEFAULTS, type AugmentConfig, type StudioConfig } from '../../shared/config-schema';
import type { ImageEntry, PreviewResult } from '../../shared/ipc-contract';
import { output, type CliCommand } from '../cli-command';
import { previewsDuringKnn } from './bench-preview-knn';
import { measureUiRedraw } from './bench-preview-ui';

interface Dist {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  n: number;
}

function dist(values: number[]): Dist | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  const r = (v: number) => Math.round(v * 100) / 100;
  return { p50: r(q(0.5)), p95: r(q(0.95)), p99: r(q(0.99)), max: r(s[s.length - 1]!), mean: r(s.reduce((a, b) => a + b, 0) / s.length), n: s.length };
}

/** The i-th change a person might make with the lab's controls: sweep a few sliders (local scale, brightness, local crop count). */
function changed(base: AugmentConfig, i: number): AugmentConfig {
  const t = (i % 10) / 10;
  switch (i % 3) {
    case 0:
      return { ...base, localScale: [0.05, 0.2 + 0.2 * t] };
    case 1:
      return { ...base, brightness: 0.2 + 0.4 * t };
    default:
      return { ...base, flipProb: t };
  }
}

/** The "typical photo": the image of median pixel count. */
function typicalImage(images: ImageEntry[]): ImageEntry | null {
  if (images.length === 0) return null;
  const s = [...images].sort((a, b) => a.width * a.height - b.width * b.height);
  return s[Math.floor(s.length / 2)]!;
}

async function previews(engine: ForkedEngineClient, image: string, base: AugmentConfig, n: number, seed0: number): Promise<{ ms: number[]; engineMs: number[]; bytes: number[] }> {
  const ms: number[] = [];
  const engineMs: number[] = [];
  const bytes: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await engine.call('augment:preview', { image, config: changed(base, i), seed: (seed0 + i) % 2 ** 31 });
    const dt = performance.now() - t0;
    if (!r.ok) throw new Error(`augment:preview failed on ${image}: ${r.error.message}`);
    const v: PreviewResult = r.value;
    ms.push(dt);
    engineMs.push(v.ms);
    bytes.push(v.views.reduce((a, w) => a + w.png.length, 0));
  }
  return { ms, engineMs, bytes };
}

export const benchPreviewCommand: CliCommand = {
  name: 'bench-preview',
  summary: 'Measure the augmentation preview round trip (p50/p95 ms) and the host event-loop lag (p99) while training.',
  spec: {
    config: true,
    options: [
      { name: 'dataset', type: 'string', value: 'DIR', help: 'Folder to take the typical photo from (median pixel count); default: the sample dataset' },
      { name: 'image', type: 'string', value: 'FILE', help: 'Use this image instead (inside --dataset)' },
      { name: 'changes', type: 'number', value: 'N', help: 'Parameter changes to time', default: 50 },
      { name: 'ui', type: 'boolean', help: 'Also time the redraw in the real UI (built renderer in Chromium via the web host): input to painted views' },
      { name: 'trainSeconds', type: 'number', value: 'S', help: 'Seconds of training while measuring event-loop lag (0 skips)', default: 20 },
      { name: 'knn', type: 'boolean', help: "Also time previews while the engine runs a k-NN (a fresh run's step-0 teacher; ViT-Tiny/16 depth 12 at 224 px unless --arch/--depth/--global-size say otherwise)" },
      { name: 'knnVal', type: 'string', value: 'DIR', help: 'With --knn: the val folder (ImageFolder); default: the dataset itself' },
    ],
  },
  async run(args) {
    const changes = Number(args.options.changes);
    const trainSeconds = Number(args.options.trainSeconds);
    if (!Number.isInteger(changes) || changes < 1) {
      process.stderr.write(`multicrop bench-preview: --changes ${args.options.changes} must be a whole number >= 1\n`);
      return 2;
    }
    const engine = createNodeEngineClient({ mode: 'web', from: import.meta.url });
    try {
      let dataset = args.options.dataset ? resolve(String(args.options.dataset)) : null;
      if (!dataset) {
        const s = await engine.call('dataset:openSample', {});
        if (!s.ok) throw new Error(`the sample dataset could not be prepared: ${s.error.message}`);
        dataset = s.value;
      }
      // The CLI is the person at their own machine: naming --dataset is opening it.
      const opened = await engine.call('folders:open', { path: dataset });
      if (!opened.ok) throw new Error(`opening ${dataset} failed: ${opened.error.message}`);
      const scan = await engine.call('dataset:scan', { path: dataset });
      if (!scan.ok) throw new Error(`scanning ${dataset} failed: ${scan.error.message}`);
      const entry = args.options.image ? scan.value.images.find((i) => i.path === String(args.options.image)) ?? null : typicalImage(scan.value.images);
      if (!entry) throw new Error(`no usable image in ${dataset}${args.options.image ? ` matching ${String(args.options.image)}` : ''}`);

      // The lab's views: the recipe's 2x224 + 8x96 unless augmentation flags say otherwise.
      const base: AugmentConfig = { ...augmentPart(RECIPE_DEFAULTS) };
      for (const k of args.explicit) if (k in base) (base as Record<string, unknown>)[k] = args.config[k];

      await previews(engine, entry.path, base, 3, 1); // warm-up (engine start, decoder caches)
      const idle = await previews(engine, entry.path, base, changes, 100);

      let ui: Record<string, unknown> | null = null;
      if (args.options.ui) {
        const r = await measureUiRedraw(engine, dataset, entry.path, changes);
        ui = { redrawMs: dist(r.samples), roundTripMs: dist(r.roundTrips), browser: r.browser, what: 'Brightness changed in the lab; ms from the input event to the frame after the new views rendered' };
      }

      let whileTraining: Record<string, unknown> | null = null;
      if (trainSeconds > 0) {
        const trainConfig: StudioConfig = {
          ...args.config,
          arch: 'vit_tiny',
          depth: Math.min(args.config.depth, 2),
          globalSize: 64,
          localSize: 32,
          localCrops: 2,
          outDim: 256,
          headHiddenDim: 128,
          headBottleneckDim: 64,
          batchSize: 8,
          epochs: 50,
          warmupEpochs: 1,
          checkpointEvery: 100000,
        };
        const started = await engine.call('train:start', { dataset, config: trainConfig, name: 'bench-preview' });
        if (!started.ok) {
          whileTraining = { skipped: `training could not start: ${started.error.message}` };
        } else {
          const runId = started.value.runId;
          let steps = 0;
          const off = engine.onEvent((event, payload) => {
            if (event === 'train:metrics' && (payload as { runId: string }).runId === runId) steps++;
          });
          const lag = monitorEventLoopDelay({ resolution: 10 });
          lag.enable();
          const until = performance.now() + trainSeconds * 1000;
          const busy = { ms: [] as number[], engineMs: [] as number[] };
          let i = 0;
          while (performance.now() < until) {
            const r = await previews(engine, entry.path, base, 1, 1000 + i++);
            busy.ms.push(...r.ms);
            busy.engineMs.push(...r.engineMs);
            await new Promise((res) => setTimeout(res, 200)); // a person moving a slider now and then
          }
          lag.disable();
          off();
          const stopped = await engine.call('train:stop', { runId });
          const ns = (v: number) => Math.round((v / 1e6) * 100) / 100;
          whileTraining = {
            runId,
            seconds: trainSeconds,
            metricRows: steps,
            finalState: stopped.ok ? stopped.value.state : `stop failed: ${stopped.error.message}`,
            previewMs: dist(busy.ms),
            engineMs: dist(busy.engineMs),
            eventLoopLagMs: { p50: ns(lag.percentile(50)), p99: ns(lag.percentile(99)), max: ns(lag.max), mean: ns(lag.mean) },
          };
        }
      }

      let whileKnn: Record<string, unknown> | null = null;
      if (args.options.knn) {
        const model: Partial<StudioConfig> = { arch: 'vit_tiny', depth: 12, globalSize: 224 };
        for (const k of ['arch', 'depth', 'patchSize', 'globalSize'] as const) if (args.explicit.has(k)) (model as Record<string, unknown>)[k] = args.config[k];
        const k = await previewsDuringKnn(engine, {
          train: dataset,
          trainImages: scan.value.images,
          val: args.options.knnVal ? resolve(String(args.options.knnVal)) : dataset,
          config: { ...args.config, ...model },
          preview: async (seed) => {
            const r = await previews(engine, entry.path, base, 1, seed);
            return { ms: r.ms[0]!, engineMs: r.engineMs[0]! };
          },
        });
        const { ms, engineMs, ...rest } = k;
        whileKnn = { ...rest, previewMs: dist(ms), engineMs: dist(engineMs) };
      }

      const result = {
        image: entry.path,
        width: entry.width,
        height: entry.height,
        views: 2 + base.localCrops,
        changes,
        previewMs: dist(idle.ms),
        engineMs: dist(idle.engineMs),
        payloadKb: Math.round(idle.bytes.reduce((a, b) => a + b, 0) / idle.bytes.length / 1024),
        targetP95Ms: 150,
        ui,
        whileTraining,
        whileKnn,
        note: 'round trip host -> engine -> host as the UI requests it (the browser adds WebSocket relay and image decode; the lab shows its own redraw p95 in the toolbar)',
      };
      output(args, result, () =>
        [
          `Preview of ${entry.path} (${entry.width}x${entry.height}, ${result.views} views), ${changes} changes:`,
          `  round trip p50 ${result.previewMs?.p50} ms, p95 ${result.previewMs?.p95} ms (engine p50 ${result.engineMs?.p50} ms); target p95 < 150 ms`,
          ui ? `  in the UI (Chromium): redraw p50 ${(ui.redrawMs as Dist | null)?.p50} ms, p95 ${(ui.redrawMs as Dist | null)?.p95} ms` : '  in the UI: not measured (add --ui)',
          whileTraining && 'eventLoopLagMs' in whileTraining
            ? `  while training: preview p95 ${(whileTraining.previewMs as Dist | null)?.p95} ms, host event-loop lag p99 ${(whileTraining.eventLoopLagMs as { p99: number }).p99} ms`
            : `  while training: ${whileTraining ? String(whileTraining.skipped) : 'skipped (--train-seconds 0)'}`,
          whileKnn
            ? `  while a k-NN runs (${String(whileKnn.knnSeconds)} s, ${String(whileKnn.model)}): preview p95 ${(whileKnn.previewMs as Dist | null)?.p95 ?? 'n/a'} ms`
            : '  while a k-NN runs: not measured (add --knn)',
        ].join('\n'),
      );
      return 0;
    } catch (e) {
      process.stderr.write(`multicrop bench-preview: ${(e as Error).message}\n`);
      return 1;
    } finally {
      await engine.dispose();
    }
  },
};
