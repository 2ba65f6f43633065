// Test support: generated ImageFolders of noisy single-colour images (red, green, blue), whose k-NN answer is known by construction.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { SeededRng } from '../../src/engine/util/seeded-rng';

export const COLOURS: Record<string, [number, number, number]> = { red: [200, 30, 30], blue: [30, 40, 200], green: [40, 190, 50] };

/** dir/<class>/<i>.png: `perClass` noisy images of each class colour, sizes varying; `swap` renames class folders. */
export async function colourFolder(dir: string, perClass: number, seed: number, swap: Record<string, string> = {}): Promise<void> {
  const rng = new SeededRng(seed);
  for (const [name, rgb] of Object.entries(COLOURS)) {
    const folder = join(dir, swap[name] ?? name);
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const w = 40 + rng.int(30);
      const h = 40 + rng.int(30);
      const px = Buffer.alloc(w * h * 3);
      for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) px[p * 3 + c] = Math.max(0, Math.min(255, rgb[c]! + Math.round(rng.normal() * 10)));
      await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(folder, `${i}.png`));
    }
  }
}
