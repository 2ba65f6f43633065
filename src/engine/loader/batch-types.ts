// The loader -> trainer hand-off: one view-major training batch, grouped by resolution.

/** All views of one resolution for every image of the batch, view-major: [views * B, 3, size, size] (NCHW, normalised). */
export interface ResolutionGroup {
  size: number;
  views: number; // e.g. 2 globals, or N locals
  data: Float32Array; // length views * B * 3 * size * size; view v of image i starts at ((v * B) + i) * 3 * size * size
}

export interface Batch {
  epoch: number;
  /** Index of this batch within its epoch (the loader position is (epoch, index)). */
  index: number;
  /** Dataset indices of the images in this batch, in batch order. */
  imageIndices: number[];
  batchSize: number;
  /** groups[0] = globals (2 views), groups[1] = locals (N views) when N > 0. */
  groups: ResolutionGroup[];
  /** Milliseconds the consumer waited for this batch (measured by the loader's queue). */
  waitMs: number;
}

/** Where a loader resumes: the next batch it delivers is `index` of `epoch`. */
export interface LoaderPosition {
  epoch: number;
  index: number;
}
