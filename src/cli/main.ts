// Entry of the `multicrop` CLI: picks the subcommand, parses its flags, runs it, exits with its code.
import pkg from '../../package.json';
import { CliUsageError, formatHelp, parseArgs } from './cli-args';
import { COMMANDS } from './commands';
import { DEBUG_FLAG, errorReport } from './cli-error';

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `multicrop ${pkg.version}: self-supervised DINO training with multi-crop augmentation`,
    '',
    'Usage: multicrop <command> [options]      (multicrop <command> --help for its options)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Every training setting is also a --kebab-case flag (e.g. --batch-size 32 --global-scale 0.4,1.0).',
    'Data folder: $MULTICROP_DATA_DIR, else $XDG_DATA_HOME/multicrop-studio (~/.local/share/multicrop-studio).',
    `Errors are one line; ${DEBUG_FLAG} (with any command) adds the JavaScript stack.`,
  ].join('\n');
}

let debug = false;
let current: string | null = null;

export async function main(argvIn: string[]): Promise<number> {
  debug = argvIn.includes(DEBUG_FLAG);
  const argv = argvIn.filter((a) => a !== DEBUG_FLAG);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(overview() + '\n');
    return name ? 0 : 1;
  }
  if (name === '--version') {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`multicrop: unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  current = command.name;
  try {
    const args = parseArgs(rest, command.spec);
    if (args.help) {
      process.stdout.write(formatHelp(command.name, command.summary, command.spec) + '\n');
      return 0;
    }
    return await command.run(args);
  } catch (e) {
    if (e instanceof CliUsageError) {
      process.stderr.write(`multicrop ${command.name}: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(errorReport(command.name, e, debug));
    return 1;
  }
}

/** A failure outside a command's own handling (a worker thread, a stray promise): the same one line, then exit. */
function fatal(e: unknown): void {
  process.stderr.write(errorReport(current, e, debug));
  process.exit(1);
}
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // A failed command may leave threads or timers behind (a loader's workers): its error is out, so end now.
    if (code !== 0) process.exit(code);
  },
  fatal,
);
