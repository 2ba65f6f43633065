// The built-in sample dataset: procedurally generated labelled shapes (ImageFolder train/ and val/), written once into the data folder.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { StudioFailure } from '../studio-failure';
import { drawSampleSpec, renderSample } from './render-sample';
import { SAMPLE_CLASSES, type SampleClass } from './shape-sdf';
import type { Rgb } from './texture';

/** Bump whenever the generator's output changes, so existing copies are regenerated. */
export const SAMPLE_DATASET_VERSION = 1;
export const SAMPLE_SEED = 20_240_601;
export const SAMPLE_DIR_NAME = 'sample-dataset';
/** The marker lives beside the dataset (not inside it) so a folder scan sees only images. */
export const SAMPLE_MANIFEST_NAME = 'sample-dataset.manifest.json';
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
  cx: number;
  cy: number;
  radius: number;
  rotation: number;
  color: Rgb;
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
  for (const f of manifest.files) {
    try {
      const buf = await readFile(join(root, ...f.path.split('/')));
      if (buf.length !== f.bytes || sha256(buf) !== f.sha256) return null;
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

function allJobs(): Job[] {
  const jobs: Job[] = [];
  (['train', 'val'] as const).forEach((split, s) => {
    SAMPLE_CLASSES.forEach((cls, c) => {
      for (let i = 0; i < SAMPLE_SPLITS[split]; i++) jobs.push({ split, cls, index: i, key: [SAMPLE_SEED, s, c, i] });
    });
  });
  return jobs;
}

/** Render and encode every image into `root` (which must not exist yet); returns the manifest entries in job order. */
async function generateInto(root: string, onProgress?: (done: number, total: number) => void): Promise<SampleFileEntry[]> {
  const jobs = allJobs();
  for (const split of ['train', 'val'] as const) {
    for (const cls of SAMPLE_CLASSES) await mkdir(join(root, split, cls), { recursive: true });
  }
  const entries: SampleFileEntry[] = new Array(jobs.length);
  let done = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const j = next++;
      const job = jobs[j]!;
      const spec = drawSampleSpec(job.cls, job.key);
      const raw = renderSample(spec);
      const jpeg = await sharp(raw, { raw: { width: spec.width, height: spec.height, channels: 3 } })
        .jpeg({ quality: JPEG_QUALITY })
        .toBuffer();
      const rel = `${job.split}/${job.cls}/${job.cls}_${String(job.index).padStart(3, '0')}.jpg`;
      await writeFile(join(root, job.split, job.cls, `${job.cls}_${String(job.index).padStart(3, '0')}.jpg`), jpeg);
      entries[j] = {
        path: rel,
        sha256: sha256(jpeg),
        bytes: jpeg.length,
        split: job.split,
        cls: job.cls,
        width: spec.width,
        height: spec.height,
        cx: spec.cx,
        cy: spec.cy,
        radius: spec.radius,
        rotation: spec.rotation,
        color: spec.color,
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
  const partial = `${root}.partial-${process.pid}-${Date.now()}`;
  try {
    await mkdir(dataDir, { recursive: true });
    // Whatever is there is incomplete, modified or from another generator version: replace it.
    await rm(sampleManifestPath(dataDir), { force: true });
    await rm(root, { recursive: true, force: true });
    const files = await generateInto(partial, onProgress);
    await rename(partial, root);
    const manifest: SampleManifest = { version: SAMPLE_DATASET_VERSION, seed: SAMPLE_SEED, classes: SAMPLE_CLASSES, files };
    const tmp = `${sampleManifestPath(dataDir)}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify(manifest, null, 1));
    await rename(tmp, sampleManifestPath(dataDir)); // written last: its presence means the set is complete
    return root;
  } catch (e) {
    await rm(partial, { recursive: true, force: true }).catch(() => undefined);
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
