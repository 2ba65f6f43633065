// Builds one view-major batch (decode once per image with sharp, crops resampled and coloured in typed arrays); workers and in-process.
import type { AugmentConfig } from '../../shared/config-schema';
import type { ResolutionGroup } from './batch-types';
import { drawImageViews, type ViewDraw } from '../augment/view-plan';
import { decodeImage } from './decode-image';
import { newViewScratch, renderView, type ViewScratch } from './render-view';

/** What a batch needs to know about one image. */
export interface BatchItem {
  index: number; // dataset index: keys the random draws
  path: string;
  width: number;
  height: number;
  format: string;
}

export interface BatchJob {
  epoch: number;
  index: number;
  items: BatchItem[];
}

export interface ProduceSettings {
  config: AugmentConfig;
  seed: number;
  maxPixels: number;
  /** Images decoded concurrently within one batch (overlaps sharp's thread pool with JS colour work). */
  inFlight?: number;
}

export interface ProducedBatch {
  groups: ResolutionGroup[];
  /** Images that could not be read at load time; their views hold zeros (the normalised mean colour). */
  failures: { path: string; message: string }[];
}

/**
 * View-major groups for a batch of `b` images, on buffers from `spare` where one has the right size (recycled
 * batches: every slot is overwritten, and a fresh 67 MB buffer costs ~1 ms per image in page faults and zeroing).
 */
export function allocateGroups(c: AugmentConfig, b: number, spare: ArrayBuffer[] = []): ResolutionGroup[] {
  const floats = (views: number, size: number) => {
    const n = views * b * 3 * size * size;
    const k = spare.findIndex((buf) => buf.byteLength === n * 4);
    return k >= 0 ? new Float32Array(spare.splice(k, 1)[0]!) : new Float32Array(n);
  };
  const groups: ResolutionGroup[] = [{ size: c.globalSize, views: 2, data: floats(2, c.globalSize) }];
  if (c.localCrops > 0) groups.push({ size: c.localSize, views: c.localCrops, data: floats(c.localCrops, c.localSize) });
  return groups;
}

/** Group and offset of view `v` of batch image `i`. */
function slot(groups: ResolutionGroup[], b: number, v: number, i: number): { data: Float32Array; offset: number } {
  const g = v < 2 ? groups[0]! : groups[1]!;
  const vv = v < 2 ? v : v - 2;
  return { data: g.data, offset: (vv * b + i) * 3 * g.size * g.size };
}

/** Decode one image (once) and render each of its views into the slot `place` gives. */
export async function renderImageViews(
  item: BatchItem,
  epoch: number,
  s: ProduceSettings,
  scratch: ViewScratch,
  place: (draw: ViewDraw) => { data: Float32Array; offset: number },
): Promise<ViewDraw[]> {
  const draws = drawImageViews(s.config, s.seed, epoch, item.index, item.width, item.height);
  const img = await decodeImage(item.path, {
    width: item.width,
    height: item.height,
    format: item.format,
    maxPixels: s.maxPixels,
    crops: draws.map((d) => ({ box: d.box, size: d.spec.size })),
  });
  for (const d of draws) {
    const { data, offset } = place(d);
    renderView(img, d.box, d.spec.size, d.ops, s.config, data, offset, scratch);
  }
  return draws;
}

/** Produce the full batch (into `spare` buffers where they fit). Never throws for a bad image: it is reported in `failures`. */
export async function produceBatch(job: BatchJob, s: ProduceSettings, spare?: ArrayBuffer[]): Promise<ProducedBatch> {
  const c = s.config;
  const b = job.items.length;
  const groups = allocateGroups(c, b, spare);
  const scratch = newViewScratch();
  const failures: ProducedBatch['failures'] = [];
  const inFlight = Math.max(1, s.inFlight ?? 3);
  let next = 0;
  const runner = async () => {
    while (next < b) {
      const i = next++;
      const item = job.items[i]!;
      try {
        await renderImageViews(item, job.epoch, s, scratch, (draw) => slot(groups, b, draw.spec.index, i));
      } catch (e) {
        failures.push({ path: item.path, message: e instanceof Error ? e.message : String(e) });
        for (let v = 0; v < 2 + c.localCrops; v++) {
          const { data, offset } = slot(groups, b, v, i);
          const size = v < 2 ? c.globalSize : c.localSize;
          data.fill(0, offset, offset + 3 * size * size);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, b) }, runner));
  return { groups, failures };
}
