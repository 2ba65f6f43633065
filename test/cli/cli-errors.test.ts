// Every CLI error is a clear line naming the command and a non-zero exit, never a JavaScript stack (--debug shows it).
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

/** Dawn's own C++ diagnostics when `auto` probes WebGPU on a machine without a usable Vulkan driver (native library output, not our error; a JS stack frame still fails the test). */
const DAWN_NATIVE_NOISE = /^(error: XDG_RUNTIME_DIR is invalid|Warning: Vulkan |\s+at \S+ \([^)]*\.(cpp|cc|h):\d+\)$)/;

describe('CLI errors', () => {
  it.each(CASES)('%s: one clear line, non-zero exit, no stack', async (_what, args, message) => {
    const r = await cli(args);
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.code, `killed after its error (it hung): ${r.stderr}`).not.toBeNull();
    const lines = r.stderr.split('\n').filter((l) => l.trim() && !/^(=+|Hi, looks like|Will be removed|Set env var|\s*$)/.test(l) && !/tfjs|TensorFlow|tensorflow|\/\/ |backend/i.test(l) && !DAWN_NATIVE_NOISE.test(l));
    expect(lines.join('\n')).not.toMatch(/^\s+at /m);
    expect(lines.join('\n')).not.toMatch(/\b(StudioFailure|TypeError|Error):/);
    const first = lines.find((l) => l.startsWith(`multicrop ${args[0]}: `));
    expect(first, r.stderr).toBeDefined();
    expect(first).toMatch(message);
  });

  it('--debug adds the stack', async () => {
    const r = await cli(['preview', text, '--out', join(dir, 'o'), '--debug']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^multicrop preview: /m);
    expect(r.stderr).toMatch(/^\s+at /m);
  });
});
