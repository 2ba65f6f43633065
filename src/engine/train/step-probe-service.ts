// The engine's step-time probes: each config's probe runs once in its own worker thread, and its result is kept for the engine's life.
import type { Worker } from 'node:worker_threads';
import type { StudioConfig } from '../../shared/config-schema';
import type { StepProbe } from '../../shared/ipc-contract';
import { StudioFailure } from '../studio-failure';
import type { ProbeWorkerEvent } from './probe-worker';
import { probeKey } from './step-probe';
import { startWorker } from '../util/start-worker';

/** The probe worker thread for one config (built, or from source through tsx: util/start-worker.ts). */
function startProbeWorker(config: StudioConfig): Worker {
  return startWorker('probe-worker', import.meta.url, { config });
}

function runProbe(config: StudioConfig): Promise<Omit<StepProbe, 'cached'>> {
  return new Promise((resolve, reject) => {
    const worker = startProbeWorker(config);
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      void worker.terminate().catch(() => undefined);
      f();
    };
    worker.on('message', (m: ProbeWorkerEvent) => {
      if (m.type === 'done') finish(() => resolve(m.probe));
      else finish(() => reject(new StudioFailure('bad_input', `timing a training step failed: ${m.message}; check the model settings`)));
    });
    worker.on('error', (e) => finish(() => reject(new StudioFailure('internal', `the step-time probe crashed: ${e.message}`))));
    worker.on('exit', (code) => finish(() => reject(new StudioFailure('internal', `the step-time probe ended (exit ${code}) before it measured a step`))));
  });
}

export class StepProbeService {
  private readonly done = new Map<string, Omit<StepProbe, 'cached'>>();
  private readonly running = new Map<string, Promise<Omit<StepProbe, 'cached'>>>();
  /** Probes run one after another (two at once would slow each other and both be wrong). */
  private queue: Promise<unknown> = Promise.resolve();

  /** A measured probe of this config from earlier, if any. */
  cached(config: StudioConfig): StepProbe | null {
    const hit = this.done.get(probeKey(config));
    return hit ? { ...hit, cached: true } : null;
  }

  /** The config's step time: measured once (concurrent asks share the run), then answered from the cache. */
  async probe(config: StudioConfig): Promise<StepProbe> {
    const key = probeKey(config);
    const hit = this.cached(config);
    if (hit) return hit;
    let p = this.running.get(key);
    if (!p) {
      p = this.queue.catch(() => undefined).then(() => runProbe(config)).finally(() => this.running.delete(key));
      this.queue = p;
      this.running.set(key, p);
    }
    const probe = await p;
    this.done.set(key, probe);
    return { ...probe, cached: false };
  }
}
