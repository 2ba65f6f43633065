// Worker thread that times a config's training step (step-probe.ts) off the engine's main thread, posts the result and exits.
import { parentPort, workerData } from 'node:worker_threads';
import type { StudioConfig } from '../../shared/config-schema';
import { probeStepTime } from './step-probe';

export type ProbeWorkerEvent = { type: 'done'; probe: Awaited<ReturnType<typeof probeStepTime>> } | { type: 'failed'; message: string };

const port = parentPort;
if (!port) throw new Error('probe-worker must be started as a worker thread by the step-probe service, not run directly');
probeStepTime((workerData as { config: StudioConfig }).config).then(
  (probe) => port.postMessage({ type: 'done', probe } satisfies ProbeWorkerEvent),
  (e: unknown) => port.postMessage({ type: 'failed', message: (e as Error).message } satisfies ProbeWorkerEvent),
);
