// Split one view-major batch into equal micro-batches (gradient accumulation) without changing any view's pixels.
import type { Batch } from '../loader/batch-types';

/** `parts` micro-batches of batch.batchSize / parts images each, still view-major, in image order. */
export function splitBatch(batch: Batch, parts: number): Batch[] {
  if (parts <= 1) return [batch];
  const B = batch.batchSize;
  if (B % parts !== 0) throw new Error(`cannot split a batch of ${B} images into ${parts} equal micro-batches`);
  const b = B / parts;
  const out: Batch[] = [];
  for (let m = 0; m < parts; m++) {
    out.push({
      epoch: batch.epoch,
      index: batch.index,
      imageIndices: batch.imageIndices.slice(m * b, (m + 1) * b),
      batchSize: b,
      waitMs: m === 0 ? batch.waitMs : 0,
      groups: batch.groups.map((g) => {
        const per = 3 * g.size * g.size;
        const data = new Float32Array(g.views * b * per);
        for (let v = 0; v < g.views; v++) {
          const src = (v * B + m * b) * per;
          data.set(g.data.subarray(src, src + b * per), v * b * per);
        }
        return { size: g.size, views: g.views, data };
      }),
    });
  }
  return out;
}
