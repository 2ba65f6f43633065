// A run's checkpoints: atomic, checksummed step folders with the full DINO state; load the newest valid one, keep a few.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { StudioConfig } from '../../shared/config-schema';
import type { CheckpointInfo } from '../../shared/ipc-contract';
import type { LoaderPosition } from '../loader/batch-types';
import type { DinoState, HostTensor, NamedTensors } from './step-types';
import { type DurableWrite, durableWrite, isTempName, removeTempFolders, verifyFolder, writeAtomicFolder } from './atomic-folder';
import type { DatasetFingerprint } from './dataset-fingerprint';
import { decodeTensors, encodeTensors } from './tensor-codec';

export const CHECKPOINTS_DIR = 'checkpoints';

/** Everything besides tensors that an exact resume needs. */
export interface CheckpointMeta {
  format: 'multicrop-checkpoint/1';
  step: number; // optimizer steps completed
  epoch: number; // epoch of the next batch
  optimizerStep: number;
  loaderPosition: LoaderPosition; // the next batch the loader must deliver
  rng: { seed: number; note: string };
  config: StudioConfig;
  dataset: { root: string; fingerprint: DatasetFingerprint };
  createdAt: string;
}

export interface Checkpoint {
  name: string;
  dir: string;
  meta: CheckpointMeta;
  state: DinoState;
}

export interface CheckpointProblem {
  name: string;
  reason: string;
}

export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}
function stepOfName(name: string): number | null {
  const m = /^step-(\d{8,})$/.exec(name);
  return m ? Number(m[1]) : null;
}

export interface CheckpointStoreOptions {
  /** Checkpoints kept besides step 0 (the oldest are removed after each successful save). */
  keep?: number;
  /** Injectable durable file write (tests inject ENOSPC). */
  write?: DurableWrite;
}

export class CheckpointStore {
  readonly dir: string;
  private readonly keep: number;
  private readonly write: DurableWrite;

  constructor(runDir: string, opts: CheckpointStoreOptions = {}) {
    this.dir = join(runDir, CHECKPOINTS_DIR);
    this.keep = opts.keep ?? 3;
    this.write = opts.write ?? durableWrite;
  }

  /** Step folders present (complete or not), newest first. */
  async names(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await fsp.readdir(this.dir);
    } catch {
      return [];
    }
    return entries
      .filter((n) => !isTempName(n) && stepOfName(n) !== null)
      .sort((a, b) => stepOfName(b)! - stepOfName(a)!);
  }

  /**
   * Save atomically. A failure (e.g. ENOSPC) throws a StudioFailure-ready message and leaves every
   * earlier checkpoint untouched.
   */
  async save(meta: CheckpointMeta, state: DinoState): Promise<string> {
    const name = checkpointName(meta.step);
    const files: Record<string, Uint8Array> = {
      'student.safetensors': encodeTensors(state.student),
      'teacher.safetensors': encodeTensors(state.teacher),
      'optimizer.safetensors': encodeTensors(state.optimizer),
      'center.safetensors': encodeTensors({ center: state.center }),
      'meta.json': new TextEncoder().encode(JSON.stringify({ ...meta, optimizerStep: state.optimizerStep }, null, 1)),
    };
    try {
      await writeAtomicFolder(this.dir, name, files, this.write);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why =
        err.code === 'ENOSPC'
          ? 'the disk is full (ENOSPC)'
          : err.code === 'EDQUOT'
            ? 'the disk quota is exceeded (EDQUOT)'
            : err.code === 'EACCES' || err.code === 'EPERM'
              ? `permission denied (${err.code})`
              : err.message;
      throw new CheckpointSaveError(
        `could not save checkpoint ${name} in ${this.dir}: ${why}. The previous checkpoint is unchanged; free some space (or change the run folder) and resume.`,
        err.code,
      );
    }
    await this.prune();
    return name;
  }

  /** Keep step 0 and the newest `keep` complete checkpoints. */
  private async prune(): Promise<void> {
    const names = await this.names();
    let kept = 0;
    for (const n of names) {
      if (stepOfName(n) === 0) continue;
      if (kept < this.keep) {
        kept++;
        continue;
      }
      await fsp.rm(join(this.dir, n), { recursive: true, force: true });
    }
  }

  /** Summaries of the complete checkpoints (verified by checksum), newest first. */
  async list(verify = false): Promise<CheckpointInfo[]> {
    const out: CheckpointInfo[] = [];
    for (const n of await this.names()) {
      const dir = join(this.dir, n);
      if (verify && !(await verifyFolder(dir)).ok) continue;
      try {
        const meta = JSON.parse(await fsp.readFile(join(dir, 'meta.json'), 'utf8')) as CheckpointMeta;
        await fsp.access(join(dir, 'manifest.json'));
        out.push({ name: n, step: meta.step, epoch: meta.epoch, createdAt: meta.createdAt });
      } catch {
        // incomplete: not listed
      }
    }
    return out;
  }

  /** Load one checkpoint by name after verifying its checksums. */
  async load(name: string): Promise<Checkpoint> {
    const dir = join(this.dir, name);
    const v = await verifyFolder(dir);
    if (!v.ok) throw new CheckpointCorruptError(`checkpoint ${dir} is not usable: ${v.reason}`);
    const read = async (f: string) => new Uint8Array(await fsp.readFile(join(dir, f)));
    const meta = JSON.parse(new TextDecoder().decode(await read('meta.json'))) as CheckpointMeta & { optimizerStep: number };
    const center = decodeTensors(await read('center.safetensors')).center as HostTensor | undefined;
    if (!center) throw new CheckpointCorruptError(`checkpoint ${dir}: center.safetensors holds no 'center' tensor`);
    const state: DinoState = {
      student: decodeTensors(await read('student.safetensors')) as NamedTensors,
      teacher: decodeTensors(await read('teacher.safetensors')) as NamedTensors,
      optimizer: decodeTensors(await read('optimizer.safetensors')) as NamedTensors,
      center,
      optimizerStep: meta.optimizerStep,
    };
    return { name, dir, meta, state };
  }

  /**
   * The newest checkpoint whose checksums verify; corrupt or truncated ones are reported in
   * `problems` and skipped. Leftover temp folders from an interrupted save are removed.
   */
  async loadLatest(): Promise<{ checkpoint: Checkpoint | null; problems: CheckpointProblem[] }> {
    await removeTempFolders(this.dir);
    const problems: CheckpointProblem[] = [];
    for (const n of await this.names()) {
      try {
        return { checkpoint: await this.load(n), problems };
      } catch (e) {
        problems.push({ name: n, reason: (e as Error).message });
      }
    }
    return { checkpoint: null, problems };
  }
}

export class CheckpointSaveError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CheckpointSaveError';
  }
}
export class CheckpointCorruptError extends Error {
  override name = 'CheckpointCorruptError';
}
