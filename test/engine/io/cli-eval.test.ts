// The evaluation CLI as a person runs it: embed matches the official golden outputs, knn prints its JSON, attention writes its files, export writes weights.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeShared } from '../../support/shared-suite';
import { GOLDEN_DIR, HAS_SHARED, HYMENOPTERA, REPO_ROOT, SKIP_SHARED_REASON, loadGolden } from '../../support/shared-fixtures';
import { makeRun, smallConfig } from './make-run';

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describeShared(`multicrop embed / knn / attention / export (${HAS_SHARED ? 'golden weights' : SKIP_SHARED_REASON})`, () => {
  const root = mkdtempSync(join(tmpdir(), 'mc-cli-eval-'));
  let runDir: string;
  beforeAll(async () => {
    runDir = (await makeRun(root, smallConfig({ globalSize: 32 }), [0])).runDir;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // Every spawn costs seconds of tsx start-up: the 96 px golden case here (it exercises the position-embedding
  // interpolation); both cases run in-process in weights-import.test.ts.
  it('embed --no-resize --json on the golden 96 px image matches the official CLS and attention within 1e-4', () => {
    const cases = loadGolden<{ vit_tiny16: { cases: { image: string; cls: number[]; last_attention_cls_to_patches: number[]; attention_shape: [number, number] }[] } }>().vit_tiny16.cases;
    for (const c of cases.filter((x) => x.image === 'input96.png')) {
      const r = cli('embed', '--weights', resolve(GOLDEN_DIR, 'vit_tiny16.safetensors'), '--image', resolve(GOLDEN_DIR, c.image), '--no-resize', '--json');
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { cls: number[]; attention: number[][] };
      expect(Object.keys(out).sort()).toEqual(['attention', 'cls']);
      expect([out.attention.length, out.attention[0]!.length]).toEqual(c.attention_shape);
      expect(maxAbsDiff(out.cls, c.cls)).toBeLessThan(1e-4);
      expect(maxAbsDiff(out.attention.flat(), c.last_attention_cls_to_patches)).toBeLessThan(1e-4);
    }
  });

  it('knn --run on a slice of hymenoptera prints {top1, top5, k, train, val}', () => {
    const r = cli('knn', '--run', runDir, '--train', join(HYMENOPTERA, 'val'), '--val', join(HYMENOPTERA, 'val'), '--k', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { top1: number; top5: number | null; k: number; train: number; val: number; checkpoint: string };
    // Val against itself with k = 1: every image finds itself (similarity 1), so top-1 is exactly 1.
    expect(out).toMatchObject({ top1: 1, top5: null, k: 1, train: 153, val: 153, checkpoint: 'step-00000000' });
  });

  it('attention writes per-head PNGs and a JSON; export writes the weights file', () => {
    const out = join(root, 'att');
    const r = cli('attention', '--run', runDir, '--image', resolve(GOLDEN_DIR, 'input224.png'), '--out', out, '--threshold', '0.6', '--size', '64', '--json');
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['img.png', 'attn-head0.png', 'overlay-head2.png', 'mask_th0.6_head1.png', 'attention.json']) expect(existsSync(join(out, f)), f).toBe(true);
    const j = JSON.parse(readFileSync(join(out, 'attention.json'), 'utf8')) as { heads: number; gridW: number; gridH: number; keptMass: number[]; maps: number[][] };
    expect([j.heads, j.gridW, j.gridH]).toEqual([3, 4, 4]);
    expect(j.keptMass.every((m) => m >= 0.6)).toBe(true);
    const file = join(root, 'teacher.safetensors');
    const e = cli('export', '--run', runDir, '--format', 'safetensors', '--out', file, '--json');
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout)).toMatchObject({ out: file, format: 'safetensors' });
    expect(existsSync(file)).toBe(true);
  });
});
