// The learning rate's linear scaling rule (main_dino.py): the lr setting is given at batch 256 and applied scaled by the real batch.

/** Images per optimizer update (micro-batch times accumulation), the batch of the lr scaling rule. */
export function effectiveBatch(c: { batchSize: number; accumulate: number }): number {
  return c.batchSize * c.accumulate;
}

/** The peak learning rate really applied (after warmup): lr * effective batch / 256. */
export function peakLr(c: { lr: number; batchSize: number; accumulate: number }): number {
  return (c.lr * effectiveBatch(c)) / 256;
}
