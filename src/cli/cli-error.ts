// How the CLI words an error for a person: one line naming what happened (a file error names the path and what to do); the stack only with --debug.
import { StudioFailure } from '../engine/studio-failure';

/** The flag that adds the stack to an error report (taken out of the arguments before they are parsed). */
export const DEBUG_FLAG = '--debug';

/** One line for `e`: a StudioFailure's own message, a file-system error in words, else the error's message. */
export function describeError(e: unknown): string {
  if (e instanceof StudioFailure) return firstLine(e.message);
  const err = e as NodeJS.ErrnoException | undefined;
  const path = typeof err?.path === 'string' ? err.path : null;
  switch (err?.code) {
    case 'ENOENT':
      return path ? `${path} does not exist; check the path` : firstLine(err.message);
    case 'EACCES':
    case 'EPERM':
      return path ? `${path} cannot be read or written (permission denied); check its permissions` : firstLine(err.message);
    case 'ENOTDIR':
      return path ? `${path} is not a folder (a part of the path is a file)` : firstLine(err.message);
    case 'EISDIR':
      return path ? `${path} is a folder; give a file` : firstLine(err.message);
    case 'ENOSPC':
      return `the disk is full${path ? ` (writing ${path})` : ''}; free some space and try again`;
    default:
      break;
  }
  const message = e instanceof Error ? e.message : String(e);
  return `${firstLine(message) || 'failed without a message'} (run again with ${DEBUG_FLAG} for details)`;
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim()) ?? '').trim();
}

/** The report written to stderr: `multicrop CMD: line`, plus the stack with --debug. */
export function errorReport(command: string | null, e: unknown, debug: boolean): string {
  const head = `multicrop${command ? ` ${command}` : ''}: ${describeError(e)}\n`;
  const stack = debug && e instanceof Error && e.stack ? `${e.stack}\n` : '';
  return head + stack;
}
