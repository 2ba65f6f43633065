// Object masks beside a dataset (the sample writes them): <root>-masks/<same relative path>.png, read at the eval transform as per-patch coverage.
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { loadEvalImage, type Preprocess } from './eval-image';

/** Folder levels above an image searched for a `<folder>-masks` sibling (root/split/class/image: 3). */
const MASK_SEARCH_LEVELS = 3;

/**
 * The mask file of an image, when a sibling folder `<ancestor>-masks` holds one at the same relative path with a .png
 * extension (8-bit grey, 255 = object); null when there is none.
 */
export function maskPathFor(imagePath: string): string | null {
  let dir = dirname(imagePath);
  for (let level = 0; level < MASK_SEARCH_LEVELS; level++) {
    const parent = dirname(dir);
    if (parent === dir) break;
    const rel = relative(dir, imagePath).split(sep);
    const stem = rel[rel.length - 1]!.replace(/\.[^.]+$/, '');
    const candidate = join(`${dir}-masks`, ...rel.slice(0, -1), `${stem}.png`);
    if (existsSync(candidate)) return candidate;
    dir = parent;
  }
  return null;
}

/**
 * Per patch (row-major over the eval crop's grid), the share of its pixels inside the object (0..1), after the same
 * resize and crop the image gets: what the network's patch tokens see of the object.
 */
export async function patchCoverage(maskPath: string, pre: Preprocess, patch: number): Promise<Float32Array> {
  const m = await loadEvalImage(maskPath, pre);
  const gw = Math.floor(m.w / patch);
  const gh = Math.floor(m.h / patch);
  const out = new Float32Array(gw * gh);
  for (let y = 0; y < gh * patch; y++) {
    for (let x = 0; x < gw * patch; x++) out[Math.floor(y / patch) * gw + Math.floor(x / patch)]! += m.rgb[3 * (y * m.w + x)]! / 255;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= patch * patch;
  return out;
}

/** A readable name for where masks come from (for logs): the masks folder of the first image that has one. */
export function masksFolderOf(maskPath: string): string {
  let d = dirname(maskPath);
  while (!basename(d).endsWith('-masks') && dirname(d) !== d) d = dirname(d);
  return d;
}
