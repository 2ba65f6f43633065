// Every CLI error is one clear line naming the command and a non-zero exit, and stderr holds nothing else (no JavaScript stack unless --debug, no native diagnostics).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'cli-errors-'));
const text = join(dir, 'notes.jpg');
writeFileSync(text, 'hello, I am not a picture\n');
mkdirSync(join(dir, 'empty'));
const missing = join(dir, 'missing');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stderr: string;
}
/** Run the CLI from source; bounded (a command that hangs after its error is a failure too). */
function cli(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), ...args], { cwd: REPO_ROOT, env: { ...process.env, MULTICROP_DATA_DIR: join(dir, 'data') } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const CASES: [string, string[], RegExp][] = [
  ['preview of a text file named .jpg', ['preview', text, '--out', join(dir, 'o')], /notes\.jpg.*(not an image|as an image)/],
  ['preview of a missing file', ['preview', join(dir, 'nope.png'), '--out', join(dir, 'o')], /nope\.png.*(does not exist|exists)/],
  ['train on a missing folder', ['train', missing, '--max-steps', '1'], /missing.*does not exist/],
  ['train on an empty folder', ['train', join(dir, 'empty'), '--max-steps', '1'], /no usable images/],
  ['scan of a missing folder', ['scan', missing], /missing/],
  ['embed with a text file as weights', ['embed', '--weights', text, '--image', text], /not a safetensors file/],
  ['knn of a folder that is not a run', ['knn', '--run', missing, '--train', dir, '--val', dir], /not a run folder/],
  ['export of a folder that is not a run', ['export', '--run', missing, '--out', join(dir, 'x.safetensors')], /checkpoint|not a run/],
  ['bench-loader on an empty folder', ['bench-loader', '--data', join(dir, 'empty')], /0 usable images|no usable images/],
  ['an unknown option', ['train', '--bogus-flag'], /unknown option --bogus-flag/],
];

describe('CLI errors', () => {
  it.each(CASES)('%s: one clear line, non-zero exit, nothing else on stderr', async (_what, args, message) => {
    const r = await cli(args);
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.code, `killed after its error (it hung): ${r.stderr}`).not.toBeNull();
    // Nothing but the error: no stack, no library banner, no native diagnostics (Dawn's are captured by its child-process probe).
    const lines = r.stderr.split('\n').filter((l) => l.trim());
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^multicrop ${args[0]}: `));
    expect(lines[0]).toMatch(message);
  });

  it('--debug adds the stack', async () => {
    const r = await cli(['preview', text, '--out', join(dir, 'o'), '--debug']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^multicrop preview: /m);
    expect(r.stderr).toMatch(/^\s+at /m);
  });
});
