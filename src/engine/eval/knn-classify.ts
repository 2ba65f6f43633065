// Weighted k-NN classification exactly as DINO's eval_knn.py: cosine similarity, top-k, votes exp(sim / T) per class.

/** Row-major feature matrix: `rows` vectors of length `dim`. */
export interface FeatureMatrix {
  rows: number;
  dim: number;
  data: Float32Array;
}

export interface KnnOptions {
  /** Neighbours that vote (eval_knn.py: 20 is "usually working the best"). */
  k: number;
  /** Temperature of the vote weight exp(sim / T) (eval_knn.py: 0.07). */
  temperature: number;
}

export interface KnnOutcome {
  /** Top-1 accuracy as a fraction in [0, 1] (eval_knn.py prints it x 100). */
  top1: number;
  /** Top-5 accuracy as a fraction, null with fewer than 5 classes (it would be 1 by construction). */
  top5: number | null;
  /** Neighbours actually used: min(k, number of train rows). */
  k: number;
  perClass: { label: number; count: number; top1: number }[];
  /** Predicted class of every val row. */
  predictions: Int32Array;
}

export const DINO_KNN_K = 20;
export const DINO_KNN_TEMPERATURE = 0.07;

/** L2-normalise every row (torch.nn.functional.normalize: x / max(||x||, 1e-12)); returns a new matrix. */
export function l2NormalizeRows(m: FeatureMatrix): FeatureMatrix {
  const out = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    const o = r * m.dim;
    let s = 0;
    for (let j = 0; j < m.dim; j++) s += m.data[o + j]! * m.data[o + j]!;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let j = 0; j < m.dim; j++) out[o + j] = m.data[o + j]! * inv;
  }
  return { rows: m.rows, dim: m.dim, data: out };
}

/** Dot products of one query row with every gallery row (cosine similarity when both are L2-normalised). */
export function similarities(query: Float32Array, queryOffset: number, gallery: FeatureMatrix): Float32Array {
  const sims = new Float32Array(gallery.rows);
  const d = gallery.dim;
  const g = gallery.data;
  for (let r = 0; r < gallery.rows; r++) {
    const o = r * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += query[queryOffset + j]! * g[o + j]!;
    sims[r] = s;
  }
  return sims;
}

/** Indices of the k largest values, largest first (ties: lower index first). */
export function topK(values: Float32Array, k: number): number[] {
  const n = Math.min(k, values.length);
  const idx: number[] = [];
  // Insertion into a sorted list of at most k: O(N k), fine for k around 20.
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (idx.length === n && v <= values[idx[n - 1]!]!) continue;
    let pos = idx.length;
    while (pos > 0 && values[idx[pos - 1]!]! < v) pos--;
    idx.splice(pos, 0, i);
    if (idx.length > n) idx.pop();
  }
  return idx;
}

/** Class vote totals of one query: sum over its k neighbours of exp(sim / T) into the neighbour's class. */
export function classVotes(sims: Float32Array, neighbours: number[], trainLabels: ArrayLike<number>, numClasses: number, temperature: number): Float64Array {
  const votes = new Float64Array(numClasses);
  for (const n of neighbours) votes[trainLabels[n]!]! += Math.exp(sims[n]! / temperature);
  return votes;
}

/** Classes ordered by votes, most first (ties: lower class index first, a deterministic choice). */
export function rankClasses(votes: Float64Array): number[] {
  return Array.from(votes.keys()).sort((a, b) => votes[b]! - votes[a]! || a - b);
}

/**
 * eval_knn.py's knn_classifier: features must already be L2-normalised (see l2NormalizeRows).
 * Labels are class indices in [0, numClasses).
 */
export function knnClassify(
  train: FeatureMatrix,
  trainLabels: ArrayLike<number>,
  val: FeatureMatrix,
  valLabels: ArrayLike<number>,
  numClasses: number,
  opts: KnnOptions,
): KnnOutcome {
  if (train.dim !== val.dim) throw new Error(`k-NN: train features have ${train.dim} dimensions but val features have ${val.dim}`);
  if (train.rows === 0) throw new Error('k-NN: the train set has no images');
  if (val.rows === 0) throw new Error('k-NN: the val set has no images');
  if (trainLabels.length !== train.rows || valLabels.length !== val.rows) throw new Error('k-NN: one label per feature row is required');
  const k = Math.min(opts.k, train.rows);
  let top1 = 0;
  let top5 = 0;
  const count = new Int32Array(numClasses);
  const correct = new Int32Array(numClasses);
  const predictions = new Int32Array(val.rows);
  for (let q = 0; q < val.rows; q++) {
    const sims = similarities(val.data, q * val.dim, train);
    const nn = topK(sims, k);
    const ranked = rankClasses(classVotes(sims, nn, trainLabels, numClasses, opts.temperature));
    const target = valLabels[q]!;
    predictions[q] = ranked[0]!;
    count[target]!++;
    if (ranked[0] === target) {
      top1++;
      correct[target]!++;
    }
    // eval_knn.py: correct within the first min(5, k) predictions.
    if (ranked.slice(0, Math.min(5, k)).includes(target)) top5++;
  }
  const perClass = Array.from(count, (c, label) => ({ label, count: c, top1: c ? correct[label]! / c : 0 }));
  return {
    top1: top1 / val.rows,
    top5: numClasses >= 5 ? top5 / val.rows : null,
    k,
    perClass,
    predictions,
  };
}

/** The k most similar gallery rows of one (normalised) query vector, most similar first. */
export function nearestNeighbours(query: Float32Array, gallery: FeatureMatrix, k: number): { index: number; similarity: number }[] {
  if (query.length !== gallery.dim) throw new Error(`nearest neighbours: the query has ${query.length} dimensions but the gallery has ${gallery.dim}`);
  const sims = similarities(query, 0, gallery);
  return topK(sims, k).map((index) => ({ index, similarity: sims[index]! }));
}
