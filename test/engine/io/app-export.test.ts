// Export from the app through the real dispatcher: no path from a page, files only in the run's exports/ folder, 0755 only for the torchrun script, never over an existing file unasked.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, type EngineDispatcher } from '../../../src/engine/engine-dispatcher';
import { readSafetensors } from '../../../src/engine/io/safetensors';
import { startBackend } from '../../../src/engine/backends/select-backend';
import type { ExportResult } from '../../../src/shared/ipc-contract';
import { makeRun, sameBits, smallConfig } from './make-run';

const dataDir = mkdtempSync(join(tmpdir(), 'mc-app-export-'));
const outside = mkdtempSync(join(tmpdir(), 'mc-app-export-outside-'));
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

let engine: EngineDispatcher;
let runDir: string;
let teachers: Awaited<ReturnType<typeof makeRun>>['teachers'];
beforeAll(async () => {
  await startBackend('cpu');
  engine = createDispatcher({ dataDir, emit: () => undefined });
  ({ runDir, teachers } = await makeRun(join(dataDir, 'runs'), smallConfig(), [0, 4]));
});

async function exportRun(request: Record<string, unknown>) {
  return engine.dispatch('export:run', { runId: 'run-a', ...request });
}
const mode = (p: string) => statSync(p).mode & 0o777;

describe('export:run from a page', () => {
  it('refuses the old request that named the output path, and writes nothing there', async () => {
    const target = join(outside, 'evil.sh');
    const r = await exportRun({ format: 'torchrun', out: target });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_request');
      expect(r.error.message).toMatch(/out/);
    }
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(runDir, 'exports'))).toBe(false);
  });

  it('writes the teacher backbone (official names, bit-identical) into <run>/exports with mode 0644', async () => {
    const r = await exportRun({ format: 'safetensors' });
    expect(r.ok).toBe(true);
    const v = (r as { value: ExportResult }).value;
    expect(v).toMatchObject({ out: join(runDir, 'exports', 'teacher-step-00000004.safetensors'), file: 'teacher-step-00000004.safetensors', network: 'teacher', checkpoint: 'step-00000004', command: null });
    expect(mode(v.out)).toBe(0o644);
    const { tensors, metadata } = await readSafetensors(v.out);
    expect(Object.keys(tensors)).toContain('blocks.1.attn.qkv.weight');
    expect(Object.keys(tensors).some((k) => k.startsWith('head.') || k.startsWith('backbone.'))).toBe(false);
    expect(sameBits(tensors['cls_token']!.data, teachers['step-00000004']!['cls_token']!.data)).toBe(true);
    expect(metadata).toMatchObject({ format: 'pt', layout: 'vision_transformer backbone' });
  });

  it('the student backbone of a named checkpoint is the student, not the teacher', async () => {
    const r = await exportRun({ format: 'safetensors', network: 'student', checkpoint: 'step-00000000' });
    expect(r.ok).toBe(true);
    const v = (r as { value: ExportResult }).value;
    expect(v.file).toBe('student-step-00000000.safetensors');
    const { tensors } = await readSafetensors(v.out);
    const student = (await import('../../../src/engine/train/checkpoint-store')).CheckpointStore;
    const ck = await new student(runDir).load('step-00000000');
    expect(sameBits(tensors['pos_embed']!.data, ck.state.student['pos_embed']!.data)).toBe(true);
    expect(sameBits(tensors['pos_embed']!.data, ck.state.teacher['pos_embed']!.data)).toBe(false);
  });

  it('the torchrun command is the only executable export (0755, #!/bin/sh) and comes back as text to show', async () => {
    const r = await exportRun({ format: 'torchrun' });
    expect(r.ok).toBe(true);
    const v = (r as { value: ExportResult }).value;
    expect(v.out).toBe(join(runDir, 'exports', 'main_dino-config.sh'));
    expect(mode(v.out)).toBe(0o755);
    const text = readFileSync(v.out, 'utf8');
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text.slice('#!/bin/sh\n'.length)).toBe(v.command);
    expect(v.command).toContain('torchrun --nproc_per_node=1 main_dino.py');
    expect(v.bytes).toBe(Buffer.byteLength(text));
  });

  it('never replaces an existing file unless asked; replace: true does', async () => {
    const file = join(runDir, 'exports', 'teacher-step-00000000.safetensors');
    mkdirSync(join(runDir, 'exports'), { recursive: true });
    writeFileSync(file, 'the person keeps this');
    const r = await exportRun({ format: 'safetensors', checkpoint: 'step-00000000' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('exists');
      expect(r.error.message).toContain('teacher-step-00000000.safetensors already exists');
    }
    expect(readFileSync(file, 'utf8')).toBe('the person keeps this');
    const again = await exportRun({ format: 'safetensors', checkpoint: 'step-00000000', replace: true });
    expect(again.ok).toBe(true);
    expect(readFileSync(file).byteLength).toBeGreaterThan(1000);
    expect(mode(file)).toBe(0o644);
  });

  it('a run id that climbs out of the runs folder is refused by the schema', async () => {
    for (const runId of ['../x', '/etc', 'a/b']) {
      const r = await engine.dispatch('export:run', { runId, format: 'torchrun' });
      expect(r.ok, runId).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('invalid_request');
    }
  });
});
