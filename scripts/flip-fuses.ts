// Packaging step: flip the Electron fuses of a packaged app's binary to FUSE_CHOICES (`node --import tsx scripts/flip-fuses.ts <electron binary or .app>`).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flipFuses, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { FUSE_CHOICES, fuseConfig } from './fuse-map';

/** Flip the fuses in `binary` and read them back; throws with what to do when the file is not an Electron binary. */
export async function applyFuses(binary: string): Promise<Record<string, boolean>> {
  const abs = resolve(binary);
  if (!existsSync(abs)) throw new Error(`${abs} does not exist; pass the packaged app's Electron binary (e.g. dist/linux-unpacked/multicrop-studio)`);
  try {
    await flipFuses(abs, fuseConfig());
  } catch (e) {
    throw new Error(`could not flip the fuses of ${abs}: ${(e as Error).message}`);
  }
  const wire = (await getCurrentFuseWire(abs)) as unknown as Record<number, number>;
  const out: Record<string, boolean> = {};
  for (const name of Object.keys(FUSE_CHOICES) as (keyof typeof FuseV1Options)[]) out[name] = wire[FuseV1Options[name]] === 49; // '1' = enabled
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const binary = process.argv[2];
  if (!binary) {
    process.stderr.write('usage: node --import tsx scripts/flip-fuses.ts <packaged Electron binary or .app>\n');
    process.exit(2);
  }
  applyFuses(binary).then(
    (fuses) => process.stdout.write(JSON.stringify({ binary, fuses }, null, 2) + '\n'),
    (e: unknown) => {
      process.stderr.write(`flip-fuses: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
