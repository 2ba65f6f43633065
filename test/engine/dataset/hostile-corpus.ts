// Writes a corpus of broken and odd image files (and links) into a folder, with the outcome each one must have.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import type { SkipReason } from '../../../src/shared/ipc-contract';

/** Expected outcome per relative path: a usable image with its oriented size, or a skip reason. */
export type Expectation = { ok: true; width: number; height: number; format: string } | { ok: false; reason: SkipReason };

function gradient(width: number, height: number, channels: 3 | 4 = 3): Buffer {
  const b = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      b[o] = (x * 255) / Math.max(1, width - 1);
      b[o + 1] = (y * 255) / Math.max(1, height - 1);
      b[o + 2] = ((x + y) * 7) & 255;
      if (channels === 4) b[o + 3] = (x * 3) & 255;
    }
  return b;
}

const img = (w: number, h: number, c: 3 | 4 = 3) => sharp(gradient(w, h, c), { raw: { width: w, height: h, channels: c } });

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/** A 100-byte PNG whose header declares width x height pixels (a decompression bomb's header). */
function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', ihdr), pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), pngChunk('IEND', Buffer.alloc(0))]);
}

/** Write the corpus under `root` (ImageFolder-like: root/good/*, root/bad/*). `outside` is a folder outside root. */
export async function writeHostileCorpus(root: string, outside: string): Promise<Map<string, Expectation>> {
  const exp = new Map<string, Expectation>();
  const put = async (rel: string, data: Buffer | Promise<Buffer>, e: Expectation) => {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), await data);
    exp.set(rel, e);
  };
  const ok = (width: number, height: number, format: string): Expectation => ({ ok: true, width, height, format });
  const jpeg = await img(64, 48).jpeg({ quality: 90 }).toBuffer();
  const png = await img(64, 48).png().toBuffer();

  await put('good/plain.jpg', jpeg, ok(64, 48, 'jpeg'));
  await put('good/plain.png', png, ok(64, 48, 'png'));
  await put('good/tiny 20x15.png', img(20, 15).png().toBuffer(), ok(20, 15, 'png'));
  await put('good/wide 4000x60.jpg', img(4000, 60).jpeg().toBuffer(), ok(4000, 60, 'jpeg'));
  await put('good/cmyk.jpg', img(40, 30).toColourspace('cmyk').jpeg().toBuffer(), ok(40, 30, 'jpeg'));
  await put('good/sixteen-bit.png', img(40, 30).toColourspace('rgb16').png().toBuffer(), ok(40, 30, 'png'));
  await put('good/palette.png', img(40, 30).png({ palette: true, colours: 16 }).toBuffer(), ok(40, 30, 'png'));
  await put('good/alpha.png', img(40, 30, 4).png().toBuffer(), ok(40, 30, 'png'));
  await put('good/grey.png', img(40, 30).toColourspace('b-w').png().toBuffer(), ok(40, 30, 'png'));
  await put('good/exif-rotated.jpg', img(40, 20).jpeg().withMetadata({ orientation: 6 }).toBuffer(), ok(20, 40, 'jpeg'));
  await put('good/plain.webp', img(40, 30).webp().toBuffer(), ok(40, 30, 'webp'));
  await put('good/plain.avif', img(40, 30).avif({ effort: 0 }).toBuffer(), ok(40, 30, 'avif'));
  await put('good/animated.gif', sharp([await img(30, 20).png().toBuffer(), await img(30, 20).negate().png().toBuffer()], { join: { animated: true } }).gif().toBuffer(), ok(30, 20, 'gif'));
  await put('good/multipage.tiff', sharp([await img(30, 20).png().toBuffer(), await img(30, 20).negate().png().toBuffer()], { join: { animated: true } }).tiff().toBuffer(), ok(30, 20, 'tiff'));
  await put('good/ünïcødé 🐝 name.jpg', jpeg, ok(64, 48, 'jpeg'));
  await put('good/sub folder/nested image.png', png, ok(64, 48, 'png'));
  await put('good/.hidden.jpg', Buffer.from('hidden files are ignored'), { ok: false, reason: 'not an image' });
  exp.delete('good/.hidden.jpg');

  await put('bad/empty.jpg', Buffer.alloc(0), { ok: false, reason: 'empty' });
  await put('bad/text.jpg', Buffer.from('this is not a JPEG\n'), { ok: false, reason: 'not an image' });
  await put('bad/random.webp', Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919 + 13) & 255)), { ok: false, reason: 'not an image' });
  const bigJpeg = await img(400, 300).jpeg({ quality: 95 }).toBuffer();
  await put('bad/truncated.jpg', bigJpeg.subarray(0, Math.floor(bigJpeg.length / 2)), { ok: false, reason: 'truncated' });
  const bigPng = await img(400, 300).png({ compressionLevel: 0 }).toBuffer();
  await put('bad/truncated.png', bigPng.subarray(0, Math.floor(bigPng.length / 2)), { ok: false, reason: 'truncated' });
  await put('bad/header-only.png', bigPng.subarray(0, 33), { ok: false, reason: 'truncated' });
  await put('bad/bomb 60000x60000.png', bombPng(60000, 60000), { ok: false, reason: 'too many pixels' });

  await writeFile(join(outside, 'outside.jpg'), jpeg);
  await symlink(join(outside, 'outside.jpg'), join(root, 'bad/link-out.jpg'));
  exp.set('bad/link-out.jpg', { ok: false, reason: 'outside folder' });
  await symlink('..', join(root, 'bad/loop'));
  exp.set('bad/loop', { ok: false, reason: 'symlink loop' });
  await symlink(join(root, 'bad/does-not-exist.jpg'), join(root, 'bad/broken-link.jpg'));
  exp.set('bad/broken-link.jpg', { ok: false, reason: 'unreadable' });
  // Tests run as root, so chmod 000 does not stop reads: a FIFO is a file that cannot be read as an image.
  execFileSync('mkfifo', [join(root, 'bad/fifo.jpg')]);
  exp.set('bad/fifo.jpg', { ok: false, reason: 'unreadable' });
  await symlink(join(root, 'good/plain.jpg'), join(root, 'good/link-in.jpg'));
  exp.set('good/link-in.jpg', ok(64, 48, 'jpeg'));
  return exp;
}

/** Hash of every name, type, size, mode, link target and content under `dir` (links not followed). */
export async function hashTree(dir: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const { lstat, readdir, readlink } = await import('node:fs/promises');
  const h = createHash('sha256');
  const walk = async (d: string, rel: string): Promise<void> => {
    const names = (await readdir(d)).sort();
    for (const name of names) {
      const p = join(d, name);
      const st = await lstat(p);
      h.update(`${rel}/${name}\0${st.mode}\0${st.size}\0${st.mtimeMs}\0`);
      if (st.isSymbolicLink()) h.update(await readlink(p));
      else if (st.isDirectory()) await walk(p, `${rel}/${name}`);
      else if (st.isFile()) h.update(await readFile(p));
    }
  };
  await walk(dir, '');
  return h.digest('hex');
}
