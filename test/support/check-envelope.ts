// Checks one fuzzed request's answer: an envelope of the contract's shape that matches what the case must get.
import { parseRequest, type ErrorCode } from '../../src/shared/ipc-contract';
import type { FuzzCase } from './fuzz-requests';

const CODES: readonly ErrorCode[] = ['invalid_request', 'not_found', 'forbidden', 'unsupported', 'busy', 'bad_input', 'internal'];
/** An error message may name the offending path (<= 4096 chars) but never echo a megabyte of input back. */
const MAX_MESSAGE = 16_384;

export interface Tally {
  sent: number;
  ok: number;
  errors: Record<string, number>;
  byMutation: Record<string, number>;
}
export function newTally(): Tally {
  return { sent: 0, ok: 0, errors: {}, byMutation: {} };
}

/** Returns null when the answer is right, else what is wrong with it. */
export function checkAnswer(c: FuzzCase, answer: unknown, tally: Tally): string | null {
  tally.sent++;
  const kind = c.mutation.replace(/ #\d+$| ".*$|=.*$/, '').trim();
  tally.byMutation[kind] = (tally.byMutation[kind] ?? 0) + 1;
  if (typeof answer !== 'object' || answer === null) return `not an envelope: ${String(answer).slice(0, 100)}`;
  const e = answer as { ok?: unknown; value?: unknown; error?: { code?: unknown; message?: unknown } };
  if (e.ok === true) {
    tally.ok++;
    if (c.expect !== 'any') return `answered ok but must be refused (${c.expect})`;
    // The contract's own schema as a second opinion: nothing it rejects may succeed.
    const schema = parseRequest(c.channel, c.request);
    if (!schema.ok) return `answered ok to a request the contract rejects: ${schema.error.message.slice(0, 200)}`;
    return null;
  }
  if (e.ok !== false || typeof e.error !== 'object' || e.error === null) return `not an envelope: ${JSON.stringify(answer).slice(0, 200)}`;
  const code = e.error.code as ErrorCode;
  tally.errors[code] = (tally.errors[code] ?? 0) + 1;
  if (!CODES.includes(code)) return `unknown error code ${String(code)}`;
  if (typeof e.error.message !== 'string' || e.error.message.length === 0) return 'error without a message';
  if (e.error.message.length > MAX_MESSAGE) return `error message of ${e.error.message.length} characters (echoes the input)`;
  if (code === 'internal') return `internal error (an unhandled failure): ${e.error.message.slice(0, 300)}`;
  if (c.expect === 'invalid' && code !== 'invalid_request') return `expected invalid_request, got ${code}: ${e.error.message.slice(0, 200)}`;
  return null;
}
