// A sandbox for the hardening suites: a data folder, an opened dataset, an outside folder and links out; hashes detect any touched file.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export interface FuzzSandbox {
  base: string;
  /** The engine's data folder (allowed-roots.json, runs/). */
  dataDir: string;
  /** A folder the user opened (an allowed root) with two images, a text file and a link that leaves it. */
  datasetDir: string;
  datasetImage: string;
  datasetText: string;
  /** dataset/link-out.png -> outside/secret.png */
  linkOut: string;
  /** A folder never opened: an image, a text file, bytes named .safetensors. */
  outsideDir: string;
  outsideImage: string;
  outsideText: string;
  outsideWeights: string;
  /** Paths that do not exist (inside and outside the opened folder). */
  missingInside: string;
  missingOutside: string;
  dispose(): void;
}

export async function makeFuzzSandbox(prefix = 'hardening-'): Promise<FuzzSandbox> {
  const base = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(base, 'data');
  const datasetDir = join(base, 'dataset');
  const outsideDir = join(base, 'outside');
  for (const d of [dataDir, join(datasetDir, 'cats'), outsideDir]) mkdirSync(d, { recursive: true });
  const png = await sharp({ create: { width: 96, height: 72, channels: 3, background: '#3a7' } }).png().toBuffer();
  const jpg = await sharp({ create: { width: 80, height: 64, channels: 3, background: '#a35' } }).jpeg().toBuffer();
  const datasetImage = join(datasetDir, 'cats', 'a.png');
  writeFileSync(datasetImage, png);
  writeFileSync(join(datasetDir, 'cats', 'b.jpg'), jpg);
  const datasetText = join(datasetDir, 'notes.txt');
  writeFileSync(datasetText, 'not an image\n');
  const outsideImage = join(outsideDir, 'secret.png');
  writeFileSync(outsideImage, png);
  const outsideText = join(outsideDir, 'secret.txt');
  writeFileSync(outsideText, 'top secret\n');
  const outsideWeights = join(outsideDir, 'model.safetensors');
  writeFileSync(outsideWeights, Buffer.from('{"__proto__":{"polluted":1}}garbage'));
  const linkOut = join(datasetDir, 'cats', 'link-out.png');
  symlinkSync(outsideImage, linkOut);
  symlinkSync(outsideDir, join(datasetDir, 'dir-link-out'));
  return {
    base,
    dataDir,
    datasetDir,
    datasetImage,
    datasetText,
    linkOut,
    outsideDir,
    outsideImage,
    outsideText,
    outsideWeights,
    missingInside: join(datasetDir, 'cats', 'missing.png'),
    missingOutside: join(base, 'nowhere', 'missing.png'),
    dispose: () => rmSync(base, { recursive: true, force: true }),
  };
}

/** Hash of a folder tree: every entry's relative path, type, size, mtime, content (files) or target (links); links are not followed. */
export function hashTree(root: string): string {
  const h = createHash('sha256');
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const s = lstatSync(p);
      if (s.isSymbolicLink()) h.update(`L ${r} -> ${readlinkSync(p)}\n`);
      else if (s.isDirectory()) {
        h.update(`D ${r} ${s.mode}\n`);
        walk(p, r);
      } else {
        h.update(`F ${r} ${s.size} ${s.mtimeMs} ${s.mode} `);
        h.update(readFileSync(p));
        h.update('\n');
      }
    }
  };
  walk(root, '');
  return h.digest('hex');
}

/** Own property names of the built-in prototypes, to detect prototype pollution. */
export function prototypeSnapshot(): string {
  const protos: [string, object][] = [
    ['Object', Object.prototype],
    ['Array', Array.prototype],
    ['Function', Function.prototype],
    ['String', String.prototype],
    ['Number', Number.prototype],
  ];
  return protos.map(([n, p]) => `${n}: ${Reflect.ownKeys(p).map(String).sort().join(',')}`).join('\n');
}

/** True when a fresh object shows a property the fuzzer tried to inject. */
export function looksPolluted(): boolean {
  const probe = {} as Record<string, unknown>;
  return probe.polluted !== undefined || probe.isAdmin !== undefined || (probe.constructor as unknown as Record<string, unknown>)?.polluted !== undefined;
}
