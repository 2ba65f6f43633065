// Remembers CLS features per (model, preprocessing, image) so repeated k-NN runs and neighbour queries do not re-run the backbone.
import { stat } from 'node:fs/promises';
import type { Preprocess } from './eval-image';

/** Features of at most `limit` images are kept; the oldest entries go first. */
export class FeatureCache {
  private readonly map = new Map<string, Float32Array>();
  constructor(private readonly limit = 50_000) {}

  /** Key of one image for one model: the model identity, the transform, the file and its modification time. */
  static async key(modelId: string, pre: Preprocess, path: string): Promise<string> {
    let mtime = 0;
    try {
      mtime = (await stat(path)).mtimeMs;
    } catch {
      // unreadable files fail later, when they are decoded, with a clear message
    }
    return `${modelId}\u0000${JSON.stringify(pre)}\u0000${path}\u0000${mtime}`;
  }

  get(key: string): Float32Array | undefined {
    return this.map.get(key);
  }

  set(key: string, value: Float32Array): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.limit) this.map.delete(this.map.keys().next().value!);
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}
