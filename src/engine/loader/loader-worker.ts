// worker_threads entry of the multi-crop loader: builds whole batches and transfers their Float32 buffers to the pool.
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { produceBatch, type BatchJob, type ProduceSettings } from './produce-batch';

/** Pool -> worker. */
export interface WorkerRequest {
  id: number;
  job: BatchJob;
  /** Buffers of delivered batches handed back for reuse (transferred). */
  spare?: ArrayBuffer[];
}
/** Worker -> pool. */
export type WorkerReply =
  | { id: number; ok: true; groups: { size: number; views: number; data: Float32Array }[]; failures: { path: string; message: string }[] }
  | { id: number; ok: false; message: string };

const settings = workerData as ProduceSettings;
// Each worker is one of N parallel producers: one libvips thread per pipeline avoids oversubscribing the cores.
sharp.concurrency(1);
// Every image is decoded once per epoch from a fresh buffer: libvips' operation cache only costs (~4 % of a decode).
sharp.cache(false);

parentPort?.on('message', (msg: WorkerRequest) => {
  produceBatch(msg.job, settings, msg.spare).then(
    (batch) => {
      const reply: WorkerReply = { id: msg.id, ok: true, groups: batch.groups, failures: batch.failures };
      parentPort?.postMessage(reply, batch.groups.map((g) => g.data.buffer as ArrayBuffer));
    },
    (e: unknown) => {
      const reply: WorkerReply = { id: msg.id, ok: false, message: e instanceof Error ? e.message : String(e) };
      parentPort?.postMessage(reply);
    },
  );
});
