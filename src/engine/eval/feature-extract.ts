// Teacher CLS features of a list of images at the eval transform, in batches, with progress and image decoding overlapped with compute.
import type { FeatureMatrix } from './knn-classify';
import type { BackboneRunner } from './backbone-runner';
import { loadEvalImage, type EvalImage, type Preprocess } from './eval-image';

export interface ExtractOptions {
  preprocess: Preprocess;
  batchSize?: number;
  /** Called after every batch with images done so far. */
  onProgress?: (done: number, total: number) => void;
  /** Checked between batches; throw to abandon. */
  signal?: AbortSignal;
}

/** CLS features (not yet normalised) of every image, in input order. */
export async function extractFeatures(runner: BackboneRunner, paths: string[], opts: ExtractOptions): Promise<FeatureMatrix> {
  const dim = runner.vit.embedDim;
  const bs = Math.max(1, opts.batchSize ?? 32);
  const out = new Float32Array(paths.length * dim);
  const load = (start: number): Promise<EvalImage[]> => Promise.all(paths.slice(start, start + bs).map((p) => loadEvalImage(p, opts.preprocess)));
  let next = paths.length ? load(0) : null;
  for (let start = 0; start < paths.length; start += bs) {
    if (opts.signal?.aborted) throw new Error('feature extraction was cancelled');
    const images = await next!;
    // Decode the next batch (sharp works off the main thread) while this one runs through the model.
    next = start + bs < paths.length ? load(start + bs) : null;
    next?.catch(() => undefined);
    const { cls } = await runner.embed(images);
    out.set(cls, start * dim);
    opts.onProgress?.(Math.min(start + bs, paths.length), paths.length);
  }
  return { rows: paths.length, dim, data: out };
}
