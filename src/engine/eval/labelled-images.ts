// Labelled images of an ImageFolder (class subfolders) for k-NN, via the dataset scan; unreadable files are skipped and counted.
import { scanDataset } from '../dataset/scan-dataset';
import type { LabelledImage } from './knn-eval';

export interface LabelledListing {
  root: string;
  images: LabelledImage[];
  classes: string[];
  /** Files the scan rejected (not an image, truncated, ...). */
  skipped: number;
}

/** Every labelled image under `root`; a folder without class subfolders is an error saying what layout is needed. */
export async function listLabelled(root: string, onProgress?: (done: number, total: number | null) => void): Promise<LabelledListing> {
  const scan = await scanDataset(root, { onProgress });
  if (scan.layout !== 'imagefolder') {
    throw new Error(`${scan.root} has no class subfolders, so its images have no labels; k-NN needs an ImageFolder layout (${scan.root}/<class>/<image>)`);
  }
  const images = scan.images.filter((im) => im.label !== null).map((im) => ({ path: im.path, label: im.label! }));
  return { root: scan.root, images, classes: scan.classes.map((c) => c.name), skipped: scan.skipped.length };
}

/** Every image under `root` (labelled when the folder is an ImageFolder) for a neighbour gallery. */
export async function listGallery(root: string): Promise<{ path: string; label: string | null }[]> {
  const scan = await scanDataset(root);
  return scan.images.map((im) => ({ path: im.path, label: im.label }));
}
