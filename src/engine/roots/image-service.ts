// Reads an image confined to the allowed roots and returns it (optionally resized) as JPEG or PNG bytes for the UI.
import sharp from 'sharp';
import { confinePath } from './confine-path';

export type ImageReply =
  | { ok: true; bytes: Uint8Array; mime: 'image/jpeg' | 'image/png' }
  | { ok: false; status: 400 | 403 | 404 | 415; message: string };

export const MAX_IMAGE_WIDTH = 4096;
const MAX_INPUT_PIXELS = 100_000_000;

/** Serve `requested` if its real path lies inside one of `roots`; width (1..4096) resizes without enlarging. */
export async function readConfinedImage(requested: string, width: number | undefined, roots: readonly string[]): Promise<ImageReply> {
  if (width !== undefined && (!Number.isInteger(width) || width < 1 || width > MAX_IMAGE_WIDTH)) {
    return { ok: false, status: 400, message: `image width ${width} must be a whole number from 1 to ${MAX_IMAGE_WIDTH}` };
  }
  const confined = await confinePath(requested, roots);
  if (!confined.ok) return { ok: false, status: confined.reason.includes('does not exist') ? 404 : 403, message: confined.reason };
  try {
    let img = sharp(confined.realPath, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).rotate();
    const meta = await img.metadata();
    if (width !== undefined) img = img.resize({ width, withoutEnlargement: true });
    if (meta.hasAlpha) return { ok: true, bytes: new Uint8Array(await img.png().toBuffer()), mime: 'image/png' };
    return { ok: true, bytes: new Uint8Array(await img.jpeg({ quality: 88 }).toBuffer()), mime: 'image/jpeg' };
  } catch (e) {
    return { ok: false, status: 415, message: `"${requested}" could not be decoded as an image (${(e as Error).message})` };
  }
}
