// `export` of a run: its checkpoint's teacher to .safetensors (official names), or the torchrun command that continues its recipe.
import { writeFile, rename } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ExportResult } from '../../shared/ipc-contract';
import { CheckpointStore, type Checkpoint } from '../train/checkpoint-store';
import { readRunConfig, readRunRecord } from '../train/run-store';
import { exportMetadata, exportTensors, writeExport } from './weights-export';
import { torchrunCommand } from './torchrun-export';
import { importState } from './weights-import';

export interface RunExportOptions {
  format: 'safetensors' | 'torchrun';
  out: string;
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
    readonly kind: 'not_found' | 'bad_input',
  ) {
    super(message);
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
  const out = resolve(opts.out);
  if (opts.format === 'torchrun') {
    let config = await readRunConfig(runDir);
    let dataPath = opts.dataPath;
    let source = runDir;
    if (opts.checkpoint) {
      const ck = await pickCheckpoint(runDir, opts.checkpoint);
      config = ck.meta.config;
      dataPath ??= ck.meta.dataset.root;
      source = `${runDir} (${ck.name})`;
    }
    if (!config) throw new RunExportError(`${runDir} is not a run folder: it has no config.json`, 'not_found');
    dataPath ??= (await readRunRecord(runDir))?.dataset ?? '/path/to/imagefolder';
    const text = torchrunCommand(config, {
      nprocPerNode: opts.nprocPerNode ?? 1,
      dataPath,
      outputDir: opts.outputDir ?? './dino-output',
      source,
    });
    const tmp = `${out}.tmp-${process.pid}`;
    await writeFile(tmp, text, { mode: 0o755 });
    await rename(tmp, out);
    return { out, bytes: Buffer.byteLength(text), format: 'torchrun' };
  }
  const ck = await pickCheckpoint(runDir, opts.checkpoint);
  const config = ck.meta.config;
  const includeHead = opts.includeHead ?? false;
  const tensors = exportTensors(ck.state.teacher, includeHead);
  // Validate what we write exactly as an import would: a strict, official-name ViT (and head).
  importState(tensors, `${ck.dir}/teacher.safetensors`, { arch: config.arch, patchSize: config.patchSize, depth: config.depth });
  const bytes = await writeExport(
    out,
    tensors,
    exportMetadata({ arch: config.arch, patchSize: config.patchSize, depth: config.depth, source: `${runDir} ${ck.name} teacher` }, includeHead),
  );
  return { out, bytes, format: 'safetensors' };
}
