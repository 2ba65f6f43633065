// `export` of a run: a checkpoint's teacher or student to .safetensors (official names), or the torchrun command that continues its recipe; into the run's exports/ folder unless the caller names a file.
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { ExportResult } from '../../shared/ipc-contract';
import { CheckpointStore, type Checkpoint } from '../train/checkpoint-store';
import { readRunConfig, readRunRecord } from '../train/run-store';
import { exportMetadata, exportTensors, writeExport } from './weights-export';
import { torchrunCommand } from './torchrun-export';
import { importState } from './weights-import';
import { ExportExistsError, writeExportFile } from './write-export-file';

/** Exports written for the app go here, inside the run folder (the web host serves downloads from it). */
export const EXPORTS_DIR = 'exports';
/** What an export file in EXPORTS_DIR may be called (the download route checks names against it). */
export const EXPORT_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

export interface RunExportOptions {
  format: 'safetensors' | 'torchrun';
  /** The file to write (CLI); without it, <run>/exports/<a name saying what it holds>. */
  out?: string;
  /** Overwrite an existing file (the person confirmed); otherwise an existing file is an 'exists' error. */
  replace?: boolean;
  /** safetensors only: which network's backbone (default the teacher, what DINO evaluates). */
  network?: 'teacher' | 'student';
  /** Checkpoint name (default: the latest valid one). */
  checkpoint?: string;
  includeHead?: boolean;
  /** torchrun only. */
  nprocPerNode?: number;
  dataPath?: string;
  outputDir?: string;
}

export class RunExportError extends Error {
  override name = 'RunExportError';
  constructor(
    message: string,
    readonly kind: 'not_found' | 'bad_input' | 'exists',
  ) {
    super(message);
  }
}

/** The file name an export gets in the run's exports/ folder. */
export function exportFileName(opts: Pick<RunExportOptions, 'format' | 'network' | 'includeHead'>, checkpoint: string | null): string {
  if (opts.format === 'torchrun') return `main_dino-${checkpoint ?? 'config'}.sh`;
  return `${opts.network ?? 'teacher'}-${checkpoint ?? 'latest'}${opts.includeHead ? '-with-head' : ''}.safetensors`;
}

async function place(runDir: string, opts: RunExportOptions, checkpoint: string | null): Promise<string> {
  if (opts.out) return resolve(opts.out);
  const dir = join(runDir, EXPORTS_DIR);
  await mkdir(dir, { recursive: true });
  return join(dir, exportFileName(opts, checkpoint));
}

async function write(out: string, data: string | Uint8Array, mode: number, replace: boolean): Promise<void> {
  try {
    await writeExportFile(out, data, { mode, replace });
  } catch (e) {
    if (e instanceof ExportExistsError) throw new RunExportError(e.message, 'exists');
    throw e;
  }
}

async function pickCheckpoint(runDir: string, name?: string): Promise<Checkpoint> {
  const store = new CheckpointStore(runDir);
  if (name) {
    const names = await store.names();
    if (!names.includes(name)) throw new RunExportError(`run ${runDir} has no checkpoint ${name}${names.length ? ` (it has ${names.join(', ')})` : ''}`, 'not_found');
    return store.load(name);
  }
  const { checkpoint, problems } = await store.loadLatest();
  if (!checkpoint) {
    const why = problems.length ? ` (unusable: ${problems.map((p) => `${p.name}: ${p.reason}`).join('; ')})` : '';
    throw new RunExportError(`run ${runDir} has no usable checkpoint to export${why}; train it first (\`multicrop train ... --max-steps 0\` writes step 0)`, 'not_found');
  }
  return checkpoint;
}

export async function exportRun(runDirIn: string, opts: RunExportOptions): Promise<ExportResult> {
  const runDir = resolve(runDirIn);
  const replace = opts.replace ?? false;
  if (opts.format === 'torchrun') {
    let config = await readRunConfig(runDir);
    let dataPath = opts.dataPath;
    let source = runDir;
    let checkpoint: string | null = null;
    if (opts.checkpoint) {
      const ck = await pickCheckpoint(runDir, opts.checkpoint);
      config = ck.meta.config;
      dataPath ??= ck.meta.dataset.root;
      source = `${runDir} (${ck.name})`;
      checkpoint = ck.name;
    }
    if (!config) throw new RunExportError(`${runDir} is not a run folder: it has no config.json`, 'not_found');
    dataPath ??= (await readRunRecord(runDir))?.dataset ?? '/path/to/imagefolder';
    const text = torchrunCommand(config, {
      nprocPerNode: opts.nprocPerNode ?? 1,
      dataPath,
      outputDir: opts.outputDir ?? './dino-output',
      source,
    });
    const out = await place(runDir, opts, checkpoint);
    // A script a person runs: the only export that is executable.
    const file = `#!/bin/sh\n${text}`;
    await write(out, file, 0o755, replace);
    return { out, file: basename(out), bytes: Buffer.byteLength(file), format: 'torchrun', network: null, checkpoint, command: text };
  }
  const ck = await pickCheckpoint(runDir, opts.checkpoint);
  const config = ck.meta.config;
  const includeHead = opts.includeHead ?? false;
  const network = opts.network ?? 'teacher';
  const tensors = exportTensors(ck.state[network], includeHead);
  // Validate what we write exactly as an import would: a strict, official-name ViT (and head).
  importState(tensors, `${ck.dir}/${network}.safetensors`, { arch: config.arch, patchSize: config.patchSize, depth: config.depth });
  const out = await place(runDir, opts, ck.name);
  let bytes: number;
  try {
    bytes = await writeExport(
      out,
      tensors,
      exportMetadata({ arch: config.arch, patchSize: config.patchSize, depth: config.depth, source: `${runDir} ${ck.name} ${network}` }, includeHead),
      replace,
    );
  } catch (e) {
    if (e instanceof ExportExistsError) throw new RunExportError(e.message, 'exists');
    throw e;
  }
  return { out, file: basename(out), bytes, format: 'safetensors', network, checkpoint: ck.name, command: null };
}
