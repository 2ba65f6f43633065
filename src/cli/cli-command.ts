// What a CLI subcommand is: a name, a summary, its argument spec, and a run function returning the exit code.
import type { ArgSpec, ParsedArgs } from './cli-args';

export interface CliCommand {
  name: string;
  summary: string;
  spec: ArgSpec;
  run(args: ParsedArgs): Promise<number>;
}

/** Print a result: JSON when --json, else the human text. */
export function output(args: ParsedArgs, value: unknown, human: () => string): void {
  process.stdout.write((args.json ? JSON.stringify(value) : human()) + '\n');
}
