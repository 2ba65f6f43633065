// Worker thread that runs one training run (scan, then the run assembled by assemble-run.ts) off the engine's main thread.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { StudioConfig } from '../../shared/config-schema';
import type { ErrorCode, MetricRow, TrainStatus } from '../../shared/ipc-contract';
import { scanDataset } from '../dataset/scan-dataset';
import { StudioFailure } from '../studio-failure';
import { TrainControl } from './train-control';
import { assembleRun } from './assemble-run';
import { ComputeClient } from './compute-client';

/** What the controller hands the worker when it starts it. */
export interface TrainingWorkerData {
  runDir: string;
  dataset: string;
  config: StudioConfig;
  /** Continue the run folder from its newest valid checkpoint. */
  resume: boolean;
  /** The controller sends a compute window's port (or why there is none) as a 'compute' command before training. */
  computeWindow?: boolean;
}

/** Controller -> worker: honoured between steps, like TrainControl's methods. */
export type TrainingWorkerCommand =
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** The compute window's port for this run (transferred), or null and why the host has none. */
  | { type: 'compute'; port: MessagePort | null; why?: string };

/** Worker -> controller: the loop's events, then exactly one of done / failed. */
export type TrainingWorkerEvent =
  | { type: 'status'; status: TrainStatus }
  | { type: 'metrics'; row: MetricRow }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'done'; status: TrainStatus }
  | { type: 'failed'; code: ErrorCode | null; message: string };

const port = parentPort;
if (!port) throw new Error('training-worker must be started as a worker thread by the train controller, not run directly');
const data = workerData as TrainingWorkerData;
const post = (m: TrainingWorkerEvent) => port.postMessage(m);

const control = new TrainControl();
let gotCompute!: (c: { port: MessagePort | null; why?: string }) => void;
const computeSent = new Promise<{ port: MessagePort | null; why?: string }>((r) => (gotCompute = r));
port.on('message', (c: TrainingWorkerCommand) => {
  if (c.type === 'compute') gotCompute(c);
  else if (c.type === 'pause') control.pause();
  else if (c.type === 'resume') control.resume();
  else if (c.type === 'stop') control.stop();
});

async function main(): Promise<void> {
  let compute: ComputeClient | undefined;
  try {
    const sent = data.computeWindow ? await computeSent : null;
    if (sent?.port) compute = new ComputeClient(sent.port);
    else if (sent?.why) post({ type: 'log', level: 'warn', message: `no compute window for WebGPU: ${sent.why}; training in the engine` });
    const run = await assembleRun(data.config, { compute });
    const images = (await scanDataset(data.dataset, { maxPixels: data.config.maxPixels })).images;
    const outcome = await run.train({
      runDir: data.runDir,
      dataset: data.dataset,
      images,
      resume: data.resume,
      control,
      events: {
        status: (status) => post({ type: 'status', status }),
        metrics: (row) => post({ type: 'metrics', row }),
        log: (level, message) => post({ type: 'log', level, message }),
      },
    });
    post({ type: 'done', status: outcome.status });
  } catch (e) {
    post({ type: 'failed', code: e instanceof StudioFailure ? e.code : null, message: e instanceof Error ? e.message : String(e) });
  } finally {
    compute?.close();
  }
}

void main();
