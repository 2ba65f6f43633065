// Renders resources/icon.svg to resources/icon.png (512 px, for the Electron window and the about panel): `node scripts/render-icon.mjs`.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const resources = join(dirname(fileURLToPath(import.meta.url)), '../resources');
await sharp(join(resources, 'icon.svg'), { density: 72 }).resize(512, 512).png({ compressionLevel: 9 }).toFile(join(resources, 'icon.png'));
console.log(`Wrote ${join(resources, 'icon.png')}`);
