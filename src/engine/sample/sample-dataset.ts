// The built-in sample dataset: procedurally generated labelled shapes (ImageFolder train/ and val/) and their object masks (a sidecar folder), written once into the data folder.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { StudioFailure } from '../studio-failure';
import { SAMPLE_STYLE, drawSampleSpec, renderSample, type SampleObject, type SampleStyle } from './render-sample';
import { SAMPLE_CLASSES, type SampleClass } from './shape-sdf';
import type { BackgroundSpec } from './background';

/** Bump whenever the generator's output changes, so existing copies are regenerated. */
export const SAMPLE_DATASET_VERSION = 2;
export const SAMPLE_SEED = 20_240_601;
export const SAMPLE_DIR_NAME = 'sample-dataset';
/** The marker lives beside the dataset (not inside it) so a folder scan sees only images. */
export const SAMPLE_MANIFEST_NAME = 'sample-dataset.manifest.json';
/** Object masks live beside the dataset too (same relative paths, .png): training and k-NN never see them. */
export const SAMPLE_MASKS_DIR_NAME = 'sample-dataset-masks';
export const SAMPLE_SPLITS = { train: 40, val: 15 } as const;
export type SampleSplit = keyof typeof SAMPLE_SPLITS;
export const SAMPLE_TOTAL = SAMPLE_CLASSES.length * (SAMPLE_SPLITS.train + SAMPLE_SPLITS.val);
const JPEG_QUALITY = 90;
const ENCODE_CONCURRENCY = 4;

export interface SampleFileEntry {
  /** Relative to the dataset root, '/'-separated: 'train/circle/circle_000.jpg'. */
  path: string;
  sha256: string;
  bytes: number;
  split: SampleSplit;
  cls: SampleClass;
  width: number;
  height: number;
  /** The object mask, relative to the masks folder: 'train/circle/circle_000.png' (8-bit grey, 255 = object). */
  mask: string;
  maskSha256: string;
  /** Share of the image's pixels inside an object (mask >= 128). */
  objectShare: number;
  objects: SampleObject[];
  background: BackgroundSpec;
}

export interface SampleManifest {
  version: number;
  seed: number;
  classes: readonly string[];
  files: SampleFileEntry[];
}

export function sampleDatasetPath(dataDir: string): string {
  return join(dataDir, SAMPLE_DIR_NAME);
}
export function sampleMasksPath(dataDir: string): string {
  return join(dataDir, SAMPLE_MASKS_DIR_NAME);
}
export function sampleManifestPath(dataDir: string): string {
  return join(dataDir, SAMPLE_MANIFEST_NAME);
}

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** The manifest if the dataset on disk is complete and unmodified for this generator version, else null. */
export async function readValidSampleManifest(dataDir: string): Promise<SampleManifest | null> {
  let manifest: SampleManifest;
  try {
    manifest = JSON.parse(await readFile(sampleManifestPath(dataDir), 'utf8')) as SampleManifest;
  } catch {
    return null;
  }
  if (manifest.version !== SAMPLE_DATASET_VERSION || manifest.seed !== SAMPLE_SEED) return null;
  if (!Array.isArray(manifest.files) || manifest.files.length !== SAMPLE_TOTAL) return null;
  const root = sampleDatasetPath(dataDir);
  const masks = sampleMasksPath(dataDir);
  for (const f of manifest.files) {
    try {
      const buf = await readFile(join(root, ...f.path.split('/')));
      if (buf.length !== f.bytes || sha256(buf) !== f.sha256) return null;
      if (sha256(await readFile(join(masks, ...f.mask.split('/')))) !== f.maskSha256) return null;
    } catch {
      return null;
    }
  }
  return manifest;
}

interface Job {
  split: SampleSplit;
  cls: SampleClass;
  index: number;
  key: number[];
}

function allJobs(splits: Record<SampleSplit, number>): Job[] {
  const jobs: Job[] = [];
  (['train', 'val'] as const).forEach((split, s) => {
    SAMPLE_CLASSES.forEach((cls, c) => {
      for (let i = 0; i < splits[split]; i++) jobs.push({ split, cls, index: i, key: [SAMPLE_SEED, s, c, i] });
    });
  });
  return jobs;
}

/**
 * Render and encode every image into `root` and its mask into `masksRoot` (neither need exist); returns the manifest
 * entries in job order. `style` is SAMPLE_STYLE and `splits` SAMPLE_SPLITS (images per class) for the dataset; scripts/sample-variant.ts tries others.
 */
export async function writeSampleImages(
  root: string,
  masksRoot: string,
  onProgress?: (done: number, total: number) => void,
  style: SampleStyle = SAMPLE_STYLE,
  splits: Record<SampleSplit, number> = SAMPLE_SPLITS,
): Promise<SampleFileEntry[]> {
  const jobs = allJobs(splits);
  for (const split of ['train', 'val'] as const) {
    for (const cls of SAMPLE_CLASSES) {
      await mkdir(join(root, split, cls), { recursive: true });
      await mkdir(join(masksRoot, split, cls), { recursive: true });
    }
  }
  const entries: SampleFileEntry[] = new Array(jobs.length);
  let done = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const j = next++;
      const job = jobs[j]!;
      const spec = drawSampleSpec(job.cls, job.key, style);
      const { rgb, mask } = renderSample(spec);
      const jpeg = await sharp(rgb, { raw: { width: spec.width, height: spec.height, channels: 3 } })
        .jpeg({ quality: JPEG_QUALITY })
        .toBuffer();
      const png = await sharp(mask, { raw: { width: spec.width, height: spec.height, channels: 1 } })
        .png({ compressionLevel: 9 })
        .toBuffer();
      const name = `${job.cls}_${String(job.index).padStart(3, '0')}`;
      const rel = `${job.split}/${job.cls}/${name}.jpg`;
      await writeFile(join(root, job.split, job.cls, `${name}.jpg`), jpeg);
      await writeFile(join(masksRoot, job.split, job.cls, `${name}.png`), png);
      let inside = 0;
      for (let i = 0; i < mask.length; i++) if (mask[i]! >= 128) inside++;
      entries[j] = {
        path: rel,
        sha256: sha256(jpeg),
        bytes: jpeg.length,
        split: job.split,
        cls: job.cls,
        width: spec.width,
        height: spec.height,
        mask: `${job.split}/${job.cls}/${name}.png`,
        maskSha256: sha256(png),
        objectShare: inside / mask.length,
        objects: spec.objects,
        background: spec.background,
      };
      done++;
      onProgress?.(done, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: ENCODE_CONCURRENCY }, worker));
  return entries;
}

async function ensureOnce(dataDir: string, onProgress?: (done: number, total: number) => void): Promise<string> {
  const root = sampleDatasetPath(dataDir);
  if (await readValidSampleManifest(dataDir)) {
    onProgress?.(SAMPLE_TOTAL, SAMPLE_TOTAL);
    return root;
  }
  const masks = sampleMasksPath(dataDir);
  const partial = `${root}.partial-${process.pid}-${Date.now()}`;
  const partialMasks = `${masks}.partial-${process.pid}-${Date.now()}`;
  try {
    await mkdir(dataDir, { recursive: true });
    // Whatever is there is incomplete, modified or from another generator version: replace it.
    await rm(sampleManifestPath(dataDir), { force: true });
    await rm(root, { recursive: true, force: true });
    await rm(masks, { recursive: true, force: true });
    const files = await writeSampleImages(partial, partialMasks, onProgress);
    await rename(partial, root);
    await rename(partialMasks, masks);
    const manifest: SampleManifest = { version: SAMPLE_DATASET_VERSION, seed: SAMPLE_SEED, classes: SAMPLE_CLASSES, files };
    const tmp = `${sampleManifestPath(dataDir)}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify(manifest, null, 1));
    await rename(tmp, sampleManifestPath(dataDir)); // written last: its presence means the set is complete
    return root;
  } catch (e) {
    await rm(partial, { recursive: true, force: true }).catch(() => undefined);
    await rm(partialMasks, { recursive: true, force: true }).catch(() => undefined);
    // Another process may have finished the same set at the same moment.
    if (existsSync(root) && (await readValidSampleManifest(dataDir))) return root;
    const why = e instanceof Error ? e.message : String(e);
    throw new StudioFailure(
      'internal',
      `Could not write the sample dataset into ${root}: ${why}. Check that the data folder ${dataDir} is writable and has a few MB free, then try again.`,
    );
  }
}

const inFlight = new Map<string, Promise<string>>();

/**
 * Make sure <dataDir>/sample-dataset holds the complete sample dataset (generating it if needed) and return its path.
 * Idempotent and deterministic: the same bytes on every machine for a given SAMPLE_DATASET_VERSION.
 */
export function ensureSampleDataset(dataDir: string, onProgress?: (done: number, total: number) => void): Promise<string> {
  const running = inFlight.get(dataDir);
  if (running) return running;
  const p = ensureOnce(dataDir, onProgress).finally(() => inFlight.delete(dataDir));
  inFlight.set(dataDir, p);
  return p;
}
