// A long scan can be cancelled: dataset:cancelScan stops it at the next file and it fails with 'cancelled' (the dataset in use unchanged); an uncancelled scan of the same folder still finds every image.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, type EngineDispatcher } from '../../../src/engine/engine-dispatcher';
import { ScanCancelledError, scanDataset } from '../../../src/engine/dataset/scan-dataset';
import type { ProgressEvent, ScanResult } from '../../../src/shared/ipc-contract';

const root = mkdtempSync(join(tmpdir(), 'mc-scan-cancel-'));
const images = join(root, 'images');
const FILES = 400;
afterAll(() => rmSync(root, { recursive: true, force: true }));

let engine: EngineDispatcher;
const progress: ProgressEvent[] = [];
let onProgress: ((p: ProgressEvent) => void) | null = null;
beforeAll(async () => {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toBuffer();
  for (const c of ['a', 'b']) {
    mkdirSync(join(images, c), { recursive: true });
    for (let i = 0; i < FILES / 2; i++) writeFileSync(join(images, c, `${i}.png`), png);
  }
  engine = createDispatcher({
    dataDir: join(root, 'data'),
    emit: (event, payload) => {
      if (event !== 'progress') return;
      progress.push(payload as ProgressEvent);
      onProgress?.(payload as ProgressEvent);
    },
  });
  expect((await engine.dispatch('folders:open', { path: images })).ok).toBe(true);
});

describe('cancelling a scan', () => {
  it('scanDataset stops with ScanCancelledError when its signal is aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(scanDataset(images, { signal: abort.signal })).rejects.toBeInstanceOf(ScanCancelledError);
    let calls = 0;
    const later = new AbortController();
    const err = await scanDataset(images, { signal: later.signal, progressMs: 0, onProgress: () => ++calls === 50 && later.abort() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScanCancelledError);
    expect((err as ScanCancelledError).filesSeen).toBeLessThan(FILES);
  });

  it('dataset:cancelScan with the job id of its progress events fails that scan with "cancelled" and says so', async () => {
    let jobId = '';
    let cancelled: Promise<unknown> | null = null;
    onProgress = (p) => {
      if (!cancelled && p.label.startsWith('Scanning')) {
        jobId = p.jobId;
        cancelled = engine.dispatch('dataset:cancelScan', { jobId });
      }
    };
    const r = await engine.dispatch('dataset:scan', { path: images });
    onProgress = null;
    expect(await cancelled).toEqual({ ok: true, value: { cancelled: 1 } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('cancelled');
      expect(r.error.message).toMatch(new RegExp(`The scan of .*images was cancelled after \\d+ files; the dataset in use is unchanged`));
    }
    // The tray sees the job end.
    expect(progress.filter((p) => p.jobId === jobId).at(-1)).toMatchObject({ done: 1, total: 1 });
    // Nothing left running, and the next scan is whole.
    expect(await engine.dispatch('dataset:cancelScan', {})).toEqual({ ok: true, value: { cancelled: 0 } });
    const full = await engine.dispatch('dataset:scan', { path: images });
    expect(full.ok && (full.value as ScanResult).images.length).toBe(FILES);
  });
});
