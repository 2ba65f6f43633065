// The web host's download route: an export the engine wrote into a run's exports/ folder comes back as an attachment, with the page's authentication, and nothing else can be fetched through it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngineClient } from '../../src/engine/engine-client-node';
import type { ForkedEngineClient } from '../../src/engine/engine-client';
import { parseSafetensors } from '../../src/engine/io/safetensors';
import { downloadUrl } from '../../src/shared/ws-protocol';
import { startWebHost, type WebHost } from '../../src/web-host/web-host';
import { makeRun, smallConfig } from '../engine/io/make-run';
import { probe } from '../support/http-probe';

let base: string;
let engine: ForkedEngineClient;
let host: WebHost;
const auth = () => ({ Cookie: `multicrop_token_${host.port}=${host.token}` });

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'webhost-download-'));
  const dataDir = join(base, 'data');
  await makeRun(join(dataDir, 'runs'), smallConfig(), [0]);
  writeFileSync(join(dataDir, 'runs', 'run-a', 'config-secret.txt'), 'not an export');
  engine = createNodeEngineClient({ dataDir, from: import.meta.url });
  host = await startWebHost({ engine, port: 0, rendererDir: join(base, 'no-renderer'), runsDir: join(dataDir, 'runs') });
});
afterAll(async () => {
  await host?.close();
  await engine?.dispose();
  rmSync(base, { recursive: true, force: true });
});

describe('GET /download', () => {
  it('serves the safetensors export as an attachment, byte for byte what the engine wrote', async () => {
    const r = await engine.call('export:run', { runId: 'run-a', format: 'safetensors' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const reply = await probe(host.port, downloadUrl('run-a', r.value.file), auth());
    expect(reply.status).toBe(200);
    expect(reply.headers['content-disposition']).toBe(`attachment; filename="${r.value.file}"`);
    expect(reply.headers['content-type']).toBe('application/octet-stream');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.body.equals(readFileSync(r.value.out))).toBe(true);
    const parsed = parseSafetensors(new Uint8Array(reply.body), r.value.file);
    expect(Object.keys(parsed.tensors)).toContain('patch_embed.proj.weight');
  });

  it('needs the same token or cookie as the page', async () => {
    expect((await probe(host.port, downloadUrl('run-a', 'teacher-step-00000000.safetensors'))).status).toBe(401);
    expect((await probe(host.port, downloadUrl('run-a', 'teacher-step-00000000.safetensors'), { Cookie: `multicrop_token_${host.port}=wrong` })).status).toBe(401);
  });

  it('serves nothing outside a run exports/ folder: traversal, other run files, links out, missing files', async () => {
    const exports = join(base, 'data', 'runs', 'run-a', 'exports');
    mkdirSync(exports, { recursive: true });
    symlinkSync(join(base, 'data', 'runs', 'run-a', 'config.json'), join(exports, 'link-out.safetensors'));
    const cases: [string, string, number][] = [
      ['run-a', '../config.json', 400],
      ['run-a', 'config-secret.txt', 404],
      ['..', 'run-a', 400],
      ['run-a/exports', 'teacher-step-00000000.safetensors', 400],
      ['run-a', '.hidden', 400],
      ['run-a', 'link-out.safetensors', 404],
      ['run-b', 'teacher-step-00000000.safetensors', 404],
    ];
    for (const [run, file, status] of cases) {
      const reply = await probe(host.port, downloadUrl(run, file), auth());
      expect(reply.status, `${run} / ${file}`).toBe(status);
      expect(reply.body.toString()).not.toContain('"arch"');
    }
    const raw = await probe(host.port, '/download?run=run-a&file=..%2F..%2F..%2Fetc%2Fpasswd', auth());
    expect(raw.status).toBe(400);
  });
});
