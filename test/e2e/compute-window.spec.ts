// The compute window's trainer bundle (out/compute) in Debian Chromium with WebGPU on SwiftShader, fed batches over a MessagePort: 3 DINO steps match the Node cpu backend within 1e-4.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { CHROMIUM_PATH } from '../../playwright.config';
import { REPO } from './support/web-host-fixture';
import { COMPUTE_CFG, COMPUTE_SEED, COMPUTE_STEPS, base64ToF32, computeBatch, computeSched, f32ToBase64, type EncodedState } from '../support/compute-steps';

const BUNDLE = join(REPO, 'out/compute');

test.describe.configure({ timeout: 600_000 });
// WebGPU in headless Chromium: SwiftShader's Vulkan through ANGLE (a fallback adapter), only on a secure origin (http://127.0.0.1).
test.use({
  launchOptions: {
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  },
});

let server: Server;
let origin = '';
test.beforeAll(async () => {
  if (!existsSync(join(BUNDLE, 'compute-page.js'))) throw new Error(`${BUNDLE}/compute-page.js is missing: run "npm run build" first`);
  const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
  server = createServer((req, res) => {
    const name = (req.url ?? '/').split('?')[0] === '/' ? 'index.html' : (req.url ?? '').slice(1).split('?')[0]!;
    if (!['index.html', 'compute-page.js'].includes(name)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[name.slice(name.lastIndexOf('.'))]! }).end(readFileSync(join(BUNDLE, name)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  origin = `http://127.0.0.1:${addr.port}`;
});
test.afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

interface PageResult {
  backend: { name: string; adapter: { architecture: string; isFallbackAdapter: boolean; via: string } | null; reason: string };
  losses: number[];
  state: EncodedState;
  tensors: number[];
}

test('the trainer bundle on WebGPU in Chromium matches the Node cpu backend over 3 steps', async ({ page }) => {
  const ref = spawnSync(process.execPath, ['--import', 'tsx', 'test/e2e/support/compute-reference.ts'], { cwd: REPO, encoding: 'utf8', maxBuffer: 256 << 20 });
  expect(ref.status, ref.stderr).toBe(0);
  const cpu = JSON.parse(ref.stdout.trim().split('\n').at(-1)!) as { losses: number[]; state: EncodedState };

  await page.goto(`${origin}/`);
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  const batches = Array.from({ length: COMPUTE_STEPS }, (_, s) => {
    const b = computeBatch(s);
    return { ...b, groups: b.groups.map((g) => ({ size: g.size, views: g.views, data: f32ToBase64(g.data) })) };
  });
  const scheds = Array.from({ length: COMPUTE_STEPS }, (_, s) => computeSched(s));
  const got = (await page.evaluate(
    async ({ config, seed, batches, scheds }) => {
      const fromB64 = (s: string) => {
        const bin = atob(s);
        const u = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
        return new Float32Array(u.buffer);
      };
      const toB64 = (a: Float32Array) => {
        const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
        let s = '';
        for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode(...u.subarray(i, i + 0x8000));
        return btoa(s);
      };
      // The engine's side of the port: what an Electron preload hands the page, posted to the window.
      const ch = new MessageChannel();
      window.postMessage({ type: 'multicrop-compute-port' }, location.origin, [ch.port2]);
      let id = 0;
      const call = (req: Record<string, unknown>) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          ch.port1.onmessage = (e: MessageEvent) => ((e.data as { ok: boolean }).ok ? resolve(e.data) : reject(new Error((e.data as { error: string }).error)));
          ch.port1.postMessage({ ...req, id: ++id });
        });
      const init = await call({ kind: 'init', config, seed, backend: 'webgpu', attention: 'batched' });
      const losses: number[] = [];
      const tensors: number[] = [];
      for (let s = 0; s < batches.length; s++) {
        const b = batches[s]!;
        const batch = { ...b, groups: b.groups.map((g) => ({ ...g, data: fromB64(g.data) })) };
        const r = (await call({ kind: 'step', batches: [batch], sched: scheds[s] })) as { stats: { loss: number }; memory: { numTensors: number } };
        losses.push(r.stats.loss);
        tensors.push(r.memory.numTensors);
      }
      const st = (await call({ kind: 'state' })).state as {
        center: { data: Float32Array };
        student: Record<string, { data: Float32Array }>;
        teacher: Record<string, { data: Float32Array }>;
        optimizer: Record<string, { data: Float32Array }>;
      };
      const state: Record<string, string> = { center: toB64(st.center.data) };
      for (const part of ['student', 'teacher', 'optimizer'] as const) for (const [k, t] of Object.entries(st[part])) state[`${part}.${k}`] = toB64(t.data);
      return { backend: init.backend, losses, state, tensors };
    },
    { config: COMPUTE_CFG, seed: COMPUTE_SEED, batches, scheds },
  )) as PageResult;

  expect(got.backend.name).toBe('webgpu');
  expect(got.backend.adapter?.via).toBe('chromium');
  expect(got.backend.adapter?.isFallbackAdapter).toBe(true);
  expect(new Set(got.tensors).size, `tensor counts ${got.tensors.join(' ')}`).toBe(1);
  for (let s = 0; s < COMPUTE_STEPS; s++) expect(Math.abs(got.losses[s]! - cpu.losses[s]!), `loss of step ${s + 1}`).toBeLessThan(1e-4);
  expect(Object.keys(got.state).sort()).toEqual(Object.keys(cpu.state).sort());
  let worst = { d: 0, at: '' };
  for (const [k, v] of Object.entries(cpu.state)) {
    const a = base64ToF32(v);
    const b = base64ToF32(got.state[k]!);
    expect(b.length, k).toBe(a.length);
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      if (!(d <= worst.d)) worst = { d, at: `${k}[${i}]` };
    }
  }
  expect(worst.d, `largest difference at ${worst.at}`).toBeLessThan(1e-4);
});
