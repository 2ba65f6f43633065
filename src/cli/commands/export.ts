// `multicrop export`: a run's teacher to .safetensors with the official DINO key names, or the torchrun main_dino.py command for a cluster.
import { CliUsageError } from '../cli-args';
import { output, type CliCommand } from '../cli-command';
import { RunExportError, exportRun } from '../../engine/io/run-export';
import { WeightsImportError } from '../../engine/io/weights-import';

export const exportCommand: CliCommand = {
  name: 'export',
  summary: "Export a run: the teacher as .safetensors (official DINO names) or the torchrun main_dino.py command continuing its recipe.",
  spec: {
    options: [
      { name: 'run', type: 'string', value: 'DIR', help: 'Run folder' },
      { name: 'format', type: 'string', value: 'F', help: 'safetensors | torchrun', default: 'safetensors' },
      { name: 'out', type: 'string', value: 'FILE', help: 'Output file' },
      { name: 'checkpoint', type: 'string', value: 'NAME', help: 'Checkpoint (default: the latest valid one)' },
      { name: 'network', type: 'string', value: 'N', help: 'safetensors: teacher | student backbone', default: 'teacher' },
      { name: 'force', type: 'boolean', help: 'Replace FILE if it exists (without it an existing file is never overwritten)' },
      { name: 'includeHead', type: 'boolean', help: 'safetensors: also the DINO head (then keys are backbone.* + head.*, as a MultiCropWrapper)' },
      { name: 'nproc', type: 'number', value: 'N', help: 'torchrun: processes (GPUs) per node; the batch is split over them', default: 1 },
      { name: 'dataPath', type: 'string', value: 'DIR', help: "torchrun: --data_path as the cluster sees it (default: the run's dataset folder)" },
      { name: 'outputDir', type: 'string', value: 'DIR', help: 'torchrun: --output_dir', default: './dino-output' },
    ],
  },
  async run(args) {
    const o = args.options;
    if (!o.run || !o.out) throw new CliUsageError('--run DIR and --out FILE are required');
    const format = String(o.format);
    if (format !== 'safetensors' && format !== 'torchrun') throw new CliUsageError(`--format ${format} must be safetensors or torchrun`);
    const nproc = Number(o.nproc);
    if (!Number.isInteger(nproc) || nproc < 1) throw new CliUsageError(`--nproc ${o.nproc} must be a whole number >= 1`);
    if (format === 'torchrun' && o.includeHead) throw new CliUsageError('--include-head applies to --format safetensors');
    const network = String(o.network);
    if (network !== 'teacher' && network !== 'student') throw new CliUsageError(`--network ${network} must be teacher or student`);
    try {
      const r = await exportRun(String(o.run), {
        format,
        out: String(o.out),
        checkpoint: o.checkpoint as string | undefined,
        includeHead: Boolean(o.includeHead),
        network,
        replace: Boolean(o.force),
        nprocPerNode: nproc,
        dataPath: o.dataPath as string | undefined,
        outputDir: String(o.outputDir),
      });
      output(args, r, () => `wrote ${r.out} (${r.format}, ${r.bytes} bytes)`);
      return 0;
    } catch (e) {
      if (e instanceof RunExportError || e instanceof WeightsImportError) {
        process.stderr.write(`multicrop export: ${e.message}${e instanceof RunExportError && e.kind === 'exists' ? ' (--force replaces it)' : ''}\n`);
        return 1;
      }
      throw e;
    }
  },
};
