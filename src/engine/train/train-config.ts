// Training config checks beyond the schema (batch vs dataset size) and the step arithmetic every part of the loop shares.
import { configSchema, describeConfigError, type StudioConfig } from '../../shared/config-schema';
import { effectiveBatch } from '../../shared/lr-scaling';

export type ConfigCheck = { ok: true; config: StudioConfig } | { ok: false; errors: string[] };

/** Validate a raw config object with the schema; errors are "key: what is wrong" lines. */
export function checkConfig(raw: unknown): ConfigCheck {
  const r = configSchema.safeParse(raw);
  if (!r.success) return { ok: false, errors: describeConfigError(r.error).split('\n') };
  return { ok: true, config: r.data };
}

/** Images per optimizer update (micro-batch times accumulation): the effective batch of the lr scaling rule. */
export const imagesPerStep = effectiveBatch;

/** Optimizer steps per epoch: incomplete last batches are dropped (drop_last, as main_dino.py). */
export function stepsPerEpoch(c: StudioConfig, datasetSize: number): number {
  return Math.floor(datasetSize / imagesPerStep(c));
}

/** Problems of this config with a dataset of `datasetSize` usable images (empty when fine). */
export function datasetProblems(c: StudioConfig, datasetSize: number, datasetLabel = 'the dataset'): string[] {
  const per = imagesPerStep(c);
  if (datasetSize === 0) return [`${datasetLabel} has no usable images; pick a folder with images (jpg, png, webp, ...)`];
  if (per > datasetSize) {
    return [
      `batchSize: a step needs ${per} images (batchSize ${c.batchSize}${c.accumulate > 1 ? ` x accumulate ${c.accumulate}` : ''}) ` +
        `but ${datasetLabel} has only ${datasetSize} usable images; lower batchSize to at most ${Math.floor(datasetSize / c.accumulate)} or add images`,
    ];
  }
  return [];
}
