// Shared options and model loading of the evaluation commands (knn, attention, embed): --run/--checkpoint or --weights/--arch/--patch, --backend.
import { resolve } from 'node:path';
import type { OptionSpec, ParsedArgs } from '../cli-args';
import { CliUsageError } from '../cli-args';
import { BACKEND_NAMES, isBackendName } from '../../engine/backends/backend-registry';
import { startBackend } from '../../engine/backends/select-backend';
import { EvalSourceError, modelFromRun, modelFromWeights, type EvalModel } from '../../engine/eval/eval-model';
import { WeightsImportError } from '../../engine/io/weights-import';
import { StudioFailure } from '../../engine/studio-failure';
import type { VitArch } from '../../engine/model/vit';

export const SOURCE_OPTIONS: OptionSpec[] = [
  { name: 'run', type: 'string', value: 'DIR', help: "Run folder: evaluate its latest checkpoint's teacher" },
  { name: 'checkpoint', type: 'string', value: 'NAME', help: 'With --run: this checkpoint (e.g. step-00000000) instead of the latest' },
  { name: 'weights', type: 'string', value: 'FILE', help: '.safetensors ViT backbone with official DINO / timm key names' },
  { name: 'arch', type: 'string', value: 'A', help: 'With --weights: vit_tiny | vit_small | vit_base (checked against the file; read from its shapes if omitted)' },
  { name: 'patch', type: 'number', value: 'P', help: 'With --weights: patch size (checked against the file)' },
  { name: 'backend', type: 'string', value: 'NAME', help: `TensorFlow.js backend: auto | ${BACKEND_NAMES.join(' | ')}`, default: 'auto' },
];

const ARCHS: VitArch[] = ['vit_tiny', 'vit_small', 'vit_base'];

/** Load the model named by --run or --weights (exactly one), after selecting the backend. */
export async function loadModelFromArgs(args: ParsedArgs): Promise<EvalModel> {
  const run = args.options.run as string | undefined;
  const weights = args.options.weights as string | undefined;
  if (!run === !weights) throw new CliUsageError('give exactly one of --run DIR or --weights FILE');
  const arch = args.options.arch as string | undefined;
  if (arch !== undefined && !ARCHS.includes(arch as VitArch)) throw new CliUsageError(`--arch ${arch} is not one of ${ARCHS.join(', ')}`);
  const patch = args.options.patch as number | undefined;
  if (run && (arch !== undefined || patch !== undefined)) throw new CliUsageError('--arch and --patch apply to --weights; a run folder knows its architecture');
  if (weights && args.options.checkpoint !== undefined) throw new CliUsageError('--checkpoint applies to --run');
  const backend = String(args.options.backend);
  if (backend !== 'auto' && !isBackendName(backend)) throw new CliUsageError(`--backend ${backend} is not one of auto, ${BACKEND_NAMES.join(', ')}`);
  await startBackend(backend);
  if (run) return modelFromRun(resolve(run), args.options.checkpoint as string | undefined);
  return modelFromWeights(resolve(weights!), { arch: arch as VitArch | undefined, patchSize: patch });
}

/** Print a failure meant for a person (exit 1); anything else is a bug and propagates with its stack. */
export function reportFailure(command: string, e: unknown): number {
  if (e instanceof CliUsageError) throw e;
  if (e instanceof EvalSourceError || e instanceof WeightsImportError || e instanceof StudioFailure || (e as NodeJS.ErrnoException).code === 'ENOENT') {
    process.stderr.write(`multicrop ${command}: ${(e as Error).message}\n`);
    return 1;
  }
  if (e instanceof Error && /^(cannot (read|decode) image|image |k-NN|nearest neighbours|embed)/.test(e.message)) {
    process.stderr.write(`multicrop ${command}: ${e.message}\n`);
    return 1;
  }
  throw e;
}

/** A progress line on stderr when it is a terminal (and not --json). */
export function progressPrinter(args: ParsedArgs): ((label: string, done: number, total: number) => void) | undefined {
  if (args.json || !process.stderr.isTTY) return undefined;
  return (label, done, total) => process.stderr.write(`\r${label}: ${done}/${total}${done === total ? '\n' : ''}`);
}
