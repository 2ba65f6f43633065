// The CLI's subcommand registry: one line per command (each command lives in its own file).
import type { CliCommand } from '../cli-command';
import { attentionCommand } from './attention';
import { embedCommand } from './embed';
import { exportCommand } from './export';
import { knnCommand } from './knn';
import { benchPreviewCommand } from './bench-preview';
import { benchLoaderCommand } from './bench-loader';
import { benchTrainCommand } from './bench-train';
import { previewCommand } from './preview';
import { sampleCommand } from './sample';
import { scanCommand } from './scan';
import { serveCommand } from './serve';
import { trainCommand } from './train';

export const COMMANDS: CliCommand[] = [
  serveCommand,
  trainCommand,
  sampleCommand,
  benchPreviewCommand,
  scanCommand,
  previewCommand,
  benchLoaderCommand,
  benchTrainCommand,
  knnCommand,
  attentionCommand,
  embedCommand,
  exportCommand,
];
