// Load on the web host: several WebSocket clients redraw augmentation previews while a training run trains in the engine; reports latency p50/p95 as JSON (`node --import tsx scripts/bench-web-load.ts [--clients 4] [--seconds 20] [--dataset DIR]`).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { createNodeEngineClient } from '../src/engine/engine-client-node';
import { startWebHost } from '../src/web-host/web-host';
import { augmentPart, RECIPE_DEFAULTS, type StudioConfig } from '../src/shared/config-schema';
import type { Envelope, ImageEntry, MetricRow, ScanResult, TrainStatus } from '../src/shared/ipc-contract';
import { tinyModelConfig } from '../test/support/tiny-model-config';

export interface Dist {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
export function dist(values: number[]): Dist | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  const r = (v: number) => Math.round(v * 10) / 10;
  return { n: s.length, p50: r(q(0.5)), p95: r(q(0.95)), p99: r(q(0.99)), max: r(s[s.length - 1]!) };
}

/** One browser-tab-like client: the page's WebSocket with its cookie and Origin. */
class Client {
  private next = 1;
  private readonly waiting = new Map<number, (e: Envelope<unknown>) => void>();
  readonly metrics: MetricRow[] = [];
  readonly runIds = new Set<string>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { t: string; id?: number; envelope?: Envelope<unknown>; event?: string; payload?: unknown };
      if (m.t === 'event' && m.event === 'train:metrics') {
        const p = m.payload as { runId: string; row: MetricRow };
        this.metrics.push(p.row);
        this.runIds.add(p.runId);
      } else if (m.t === 'result') {
        const w = this.waiting.get(m.id!);
        this.waiting.delete(m.id!);
        w?.(m.envelope!);
      }
    });
  }
  static open(port: number, token: string): Promise<Client> {
    return new Promise((res, rej) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Origin: `http://127.0.0.1:${port}`, Cookie: `multicrop_token_${port}=${token}` } });
      ws.once('open', () => res(new Client(ws)));
      ws.once('error', rej);
    });
  }
  call<T>(channel: string, request: unknown): Promise<Envelope<T>> {
    const id = this.next++;
    return new Promise((res) => {
      this.waiting.set(id, res as (e: Envelope<unknown>) => void);
      this.ws.send(JSON.stringify({ t: 'call', id, channel, request }));
    });
  }
  close(): void {
    this.ws.close();
  }
}

export interface WebLoadOptions {
  dataDir: string;
  dataset: string;
  trainConfig: StudioConfig;
  clients: number;
  /** Previews per client in each phase (alone, then during training). */
  previewsPerClient: number;
  /** import.meta.url of the caller (finds the engine entry, source or built). */
  from: string;
  /** Skip the idle baseline phase. */
  noBaseline?: boolean;
}

export interface WebLoadReport {
  clients: number;
  images: number;
  baselineMs: Dist | null;
  underTrainingMs: Dist | null;
  previews: number;
  errors: string[];
  runId: string;
  /** Steps the run made while the clients were loading the host. */
  stepsDuringLoad: number;
  /** Per client: metric rows received from the first loaded preview to the stop (every tab sees the run). */
  metricsPerClient: number[];
  /** Every client received exactly the same metric rows (step and loss). */
  sameRowsEverywhere: boolean;
  runIdsSeen: string[];
  /** The run's state after the load, before it was stopped. */
  stateAfterLoad: string;
  engineRestarts: number;
  seconds: number;
}

export async function runWebLoad(opts: WebLoadOptions): Promise<WebLoadReport> {
  const t0 = performance.now();
  const engine = createNodeEngineClient({ dataDir: opts.dataDir, from: opts.from });
  const host = await startWebHost({ engine, port: 0, rendererDir: join(opts.dataDir, 'no-renderer') });
  const clients: Client[] = [];
  const errors: string[] = [];
  try {
    for (let i = 0; i < opts.clients; i++) clients.push(await Client.open(host.port, host.token));
    const control = clients[0]!;
    const opened = await control.call('folders:open', { path: opts.dataset });
    if (!opened.ok) throw new Error(`opening ${opts.dataset} failed: ${opened.error.message}`);
    const scan = await control.call<ScanResult>('dataset:scan', { path: opts.dataset });
    if (!scan.ok) throw new Error(`scanning ${opts.dataset} failed: ${scan.error.message}`);
    const images: ImageEntry[] = scan.value.images;
    if (images.length === 0) throw new Error(`${opts.dataset} has no usable images`);
    const augment = augmentPart(RECIPE_DEFAULTS);

    /** Every client redraws `n` previews back to back (as the augmentation lab does while a slider moves). */
    const phase = async (n: number, seed0: number): Promise<number[]> => {
      const ms: number[] = [];
      await Promise.all(
        clients.map(async (c, ci) => {
          for (let i = 0; i < n; i++) {
            const image = images[(ci * 7 + i) % images.length]!.path;
            const start = performance.now();
            const r = await c.call('augment:preview', { image, config: augment, seed: seed0 + ci * 1000 + i });
            ms.push(performance.now() - start);
            if (!r.ok) errors.push(`client ${ci} preview ${i}: ${r.error.code}: ${r.error.message}`);
          }
        }),
      );
      return ms;
    };

    const baseline = opts.noBaseline ? [] : await phase(opts.previewsPerClient, 1);
    const start = await control.call<TrainStatus>('train:start', { dataset: opts.dataset, config: opts.trainConfig, name: 'web-load' });
    if (!start.ok) throw new Error(`train:start failed: ${start.error.message}`);
    const runId = start.value.runId;
    // wait for the first step so the load really overlaps training
    const firstStepBy = Date.now() + 120_000;
    while (control.metrics.length === 0) {
      if (Date.now() > firstStepBy) throw new Error('the training run made no step within 120 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = clients.map((c) => c.metrics.length);
    const stepBefore = control.metrics.at(-1)!.step;
    const loaded = await phase(opts.previewsPerClient, 50_000);
    // let the metrics of the last steps arrive
    await new Promise((r) => setTimeout(r, 300));
    const status = await control.call<TrainStatus | null>('train:status', {});
    const stateAfterLoad = status.ok && status.value ? status.value.state : `unknown (${status.ok ? 'no run' : status.error.message})`;
    const stepAfter = control.metrics.at(-1)!.step;
    await control.call('train:stop', { runId });
    // after the stop no row is in flight: every client must hold the same rows
    await new Promise((r) => setTimeout(r, 300));
    const rowsOf = (c: Client) => c.metrics.map((m) => `${m.step}:${m.loss}`).join(',');
    return {
      clients: opts.clients,
      images: images.length,
      baselineMs: dist(baseline),
      underTrainingMs: dist(loaded),
      previews: baseline.length + loaded.length,
      errors,
      runId,
      stepsDuringLoad: stepAfter - stepBefore,
      metricsPerClient: clients.map((c, i) => c.metrics.length - before[i]!),
      sameRowsEverywhere: clients.every((c) => rowsOf(c) === rowsOf(control)),
      runIdsSeen: [...new Set(clients.flatMap((c) => [...c.runIds]))],
      stateAfterLoad,
      engineRestarts: engine.starts - 1,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    };
  } finally {
    for (const c of clients) c.close();
    await host.close();
    await engine.dispose();
  }
}

/** The tiny training config of the load run: steps of tens to hundreds of milliseconds, long enough to outlast the load. */
export function loadTrainConfig(): StudioConfig {
  return tinyModelConfig({ epochs: 1000, warmupEpochs: 1, lr: 0.005, workers: 0, prefetch: 1, checkpointEvery: 50, backend: 'wasm' });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string, dflt: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
  };
  const shared = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../shared/datasets/hymenoptera/train');
  const dataset = resolve(arg('dataset', existsSync(shared) ? shared : ''));
  if (!existsSync(dataset)) {
    process.stderr.write('bench-web-load: give --dataset DIR (a folder of images); ../shared/datasets/hymenoptera/train was not found\n');
    process.exit(2);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-web-load-'));
  runWebLoad({
    dataDir,
    dataset,
    trainConfig: loadTrainConfig(),
    clients: Number(arg('clients', '4')),
    previewsPerClient: Number(arg('previews', '15')),
    from: import.meta.url,
  })
    .then((report) => {
      process.stdout.write(JSON.stringify({ benchmark: 'web-host preview latency while training', dataset, ...report }, null, 2) + '\n');
      process.exitCode = report.errors.length ? 1 : 0;
    })
    .catch((e: unknown) => {
      process.stderr.write(`bench-web-load: ${(e as Error).message}\n`);
      process.exitCode = 1;
    })
    .finally(() => rmSync(dataDir, { recursive: true, force: true }));
}
