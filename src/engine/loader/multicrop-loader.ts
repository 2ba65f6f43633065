// MulticropLoader: the trainer's source of view-major DINO batches (shuffled per epoch, drop_last, resumable, prefetched).
import type { AugmentConfig } from '../../shared/config-schema';
import type { ImageEntry } from '../../shared/ipc-contract';
import { StudioFailure } from '../studio-failure';
import { DecodeFailures } from './decode-failures';
import { SeededRng } from '../util/seeded-rng';
import type { Batch, LoaderPosition } from './batch-types';
import { produceBatch, type BatchJob, type ProduceSettings, type ProducedBatch } from './produce-batch';
import { WorkerPool } from './worker-pool';

const SHUFFLE_STREAM = 0x5368_7566; // 'Shuf'

export interface MulticropLoaderOptions {
  images: ImageEntry[];
  config: AugmentConfig;
  batchSize: number;
  seed: number;
  /** Worker threads (0 = build batches in this thread). */
  workers: number;
  /** Batches built ahead of the consumer (bounded queue, at least 1). */
  prefetch: number;
  /** Resume here: the first batch delivered is `start.index` of `start.epoch` (default epoch 0, index 0). */
  start?: LoaderPosition;
  /** Decompression-bomb guard at load time (default 100 MP, as the config default). */
  maxPixels?: number;
}

/** The dataset order of an epoch: a permutation that depends only on (seed, epoch). */
export function epochPermutation(seed: number, epoch: number, n: number): Uint32Array {
  return new SeededRng(SHUFFLE_STREAM, seed, epoch).permutation(n);
}

/**
 * Multi-crop batches for DINO, as DINO's DataLoader(shuffle=True, drop_last=True) over DataAugmentationDINO.
 *
 * - `next()` resolves to the next Batch (epochs follow one another forever; `batch.epoch`/`batch.index` say where
 *   it belongs). groups[0] holds the 2 global views, groups[1] the N local views, view-major NCHW normalised Float32
 *   (see batch-types.ts). Call `next()` again only after the previous call resolved.
 * - Deterministic: the epoch order comes from (seed, epoch) and every random draw of a view from
 *   (seed, epoch, dataset index, view index), so the bytes do not depend on `workers` or `prefetch`.
 * - `position()` is where the next `next()` will continue; pass it back as `start` to resume exactly.
 * - `batchesPerEpoch` = floor(images / batchSize) (drop_last); fewer images than one batch is a StudioFailure.
 * - Images that fail to decode at load time (deleted, changed since the scan) give zero views and are recorded once
 *   each in `decodeFailures` (bounded list, count); the train loop reports them and stops a run with too many.
 * - `recycle(batch)` hands a delivered batch's buffers back once nothing reads them any more: later batches are
 *   built into them (optional; saves the page faults and zeroing of fresh buffers, ~1 ms per image).
 * - Always `close()` to stop the worker threads.
 */
export class MulticropLoader {
  readonly batchesPerEpoch: number;
  readonly decodeFailures = new DecodeFailures();
  private readonly images: ImageEntry[];
  private readonly batchSize: number;
  private readonly seed: number;
  private readonly settings: ProduceSettings;
  private readonly pool: WorkerPool | null;
  private readonly prefetch: number;
  private nextDeliver: LoaderPosition;
  private nextSchedule: LoaderPosition;
  private readonly inflight: { pos: LoaderPosition; promise: Promise<ProducedBatch> }[] = [];
  private perm: { epoch: number; order: Uint32Array } | null = null;
  private readonly spare: ArrayBuffer[] = [];
  private closed = false;

  constructor(opts: MulticropLoaderOptions) {
    this.images = opts.images;
    this.batchSize = opts.batchSize;
    this.seed = opts.seed;
    this.batchesPerEpoch = Math.floor(opts.images.length / opts.batchSize);
    if (this.batchesPerEpoch < 1) {
      throw new StudioFailure(
        'bad_input',
        `the dataset has ${opts.images.length} usable images, fewer than one batch of ${opts.batchSize}; lower batchSize or add images`,
      );
    }
    const start = opts.start ?? { epoch: 0, index: 0 };
    if (!(start.index >= 0 && start.index < this.batchesPerEpoch && start.epoch >= 0)) {
      throw new StudioFailure('bad_input', `cannot resume the loader at epoch ${start.epoch}, batch ${start.index}: an epoch has ${this.batchesPerEpoch} batches`);
    }
    this.nextDeliver = { ...start };
    this.nextSchedule = { ...start };
    this.settings = { config: opts.config, seed: opts.seed, maxPixels: opts.maxPixels ?? 100_000_000 };
    this.prefetch = Math.max(1, opts.prefetch);
    this.pool = opts.workers > 0 ? new WorkerPool(opts.workers, this.settings) : null;
  }

  /** Resolution groups (Float32 buffers) in a batch: globals, and locals when there are any. */
  private get groupsPerBatch(): number {
    return this.settings.config.localCrops > 0 ? 2 : 1;
  }

  /** Where the next `next()` continues (save this in checkpoints). */
  position(): LoaderPosition {
    return { ...this.nextDeliver };
  }

  private order(epoch: number): Uint32Array {
    if (this.perm?.epoch !== epoch) this.perm = { epoch, order: epochPermutation(this.seed, epoch, this.images.length) };
    return this.perm.order;
  }

  /** The job of one batch position. */
  job(pos: LoaderPosition): BatchJob {
    const order = this.order(pos.epoch);
    const items = [];
    for (let k = 0; k < this.batchSize; k++) {
      const idx = order[pos.index * this.batchSize + k]!;
      const e = this.images[idx]!;
      items.push({ index: idx, path: e.path, width: e.width, height: e.height, format: e.format });
    }
    return { epoch: pos.epoch, index: pos.index, items };
  }

  private advance(p: LoaderPosition): LoaderPosition {
    return p.index + 1 < this.batchesPerEpoch ? { epoch: p.epoch, index: p.index + 1 } : { epoch: p.epoch + 1, index: 0 };
  }

  private fill(): void {
    while (this.inflight.length < this.prefetch) {
      const pos = this.nextSchedule;
      const job = this.job(pos);
      const spare = this.spare.splice(0, this.groupsPerBatch); // one buffer per resolution group
      const promise = this.pool ? this.pool.run(job, spare) : produceBatch(job, this.settings, spare);
      promise.catch(() => undefined); // observed when delivered
      this.inflight.push({ pos, promise });
      this.nextSchedule = this.advance(pos);
      if (!this.pool) break; // in-process: build one batch ahead at a time (it runs on this thread anyway)
    }
  }

  /** The next batch in order (waits if it is still being built). */
  async next(): Promise<Batch> {
    if (this.closed) throw new StudioFailure('internal', 'the loader was closed; create a new one');
    this.fill();
    const head = this.inflight.shift()!;
    const t0 = performance.now();
    const produced = await head.promise;
    const waitMs = performance.now() - t0;
    for (const f of produced.failures) this.decodeFailures.record(f.path, f.message);
    this.nextDeliver = this.advance(head.pos);
    const items = this.job(head.pos).items;
    this.fill();
    return {
      epoch: head.pos.epoch,
      index: head.pos.index,
      imageIndices: items.map((it) => it.index),
      batchSize: this.batchSize,
      groups: produced.groups,
      waitMs,
    };
  }

  /**
   * Hand back a batch delivered by `next()` whose data nothing reads any more (its arrays are reused for later batches
   * and must not be touched after this call).
   */
  recycle(batch: Batch): void {
    for (const g of batch.groups) {
      const buf = g.data.buffer as ArrayBuffer;
      // whole, not detached, and at most a prefetch queue's worth kept
      if (g.data.byteOffset === 0 && buf.byteLength === g.data.byteLength && buf.byteLength > 0 && this.spare.length < this.groupsPerBatch * (this.prefetch + 1)) this.spare.push(buf);
    }
  }

  /** Stop: worker threads are terminated at once (batches being built are dropped). */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.close();
    await Promise.allSettled(this.inflight.map((f) => f.promise));
    this.inflight.length = 0;
  }
}
