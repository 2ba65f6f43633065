// Smoke test of the web mode: Chromium opens the token URL of the built web host; contract over WebSocket, confined images, CSP.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './support/web-host-fixture';

test('the token URL opens the app, which talks to the engine over the WebSocket', async ({ studio, webHost }) => {
  // the token moved into an HttpOnly cookie and left the address bar
  expect(new URL(studio.url()).searchParams.has('token')).toBe(false);
  // app:info answered through the WebSocket: the header shows the version and the host mode
  await expect(studio.locator('.badge.mode')).toHaveText('browser tab');
  await expect(studio.getByText('v0.1.0')).toBeVisible();
  const cookies = await studio.context().cookies();
  const auth = cookies.find((c) => c.name === `multicrop_token_${webHost.port}`);
  expect(auth?.httpOnly).toBe(true);
  expect(auth?.sameSite).toBe('Strict');
});

test('opening the sample dataset makes its images loadable through /image, and nothing outside it', async ({ studio, webHost }) => {
  await expect(studio.locator('.badge.mode')).toHaveText('browser tab');
  await studio.getByRole('button', { name: 'Open sample dataset' }).click();
  const sampleClassDir = join(webHost.dataDir, 'sample-dataset', 'train');
  await expect.poll(() => {
    try {
      return readdirSync(sampleClassDir).length;
    } catch {
      return 0;
    }
  }, { timeout: 60_000 }).toBeGreaterThan(1);
  const cls = readdirSync(sampleClassDir).sort()[0]!;
  await expect.poll(() => readdirSync(join(sampleClassDir, cls)).length, { timeout: 60_000 }).toBeGreaterThan(0);
  const file = join(sampleClassDir, cls, readdirSync(join(sampleClassDir, cls)).sort()[0]!);

  const load = (path: string, w: number) =>
    studio.evaluate(
      async ([p, width]) => {
        const img = new Image();
        img.src = `/image?path=${encodeURIComponent(p)}&w=${width}`;
        try {
          await img.decode();
          return img.naturalWidth;
        } catch {
          return -1;
        }
      },
      [path, w] as const,
    );
  await expect.poll(() => load(file, 40), { timeout: 30_000 }).toBe(40);
  expect(await load('/etc/hostname', 40)).toBe(-1);
  expect(await load(join(webHost.dataDir, 'sample-dataset', '..', 'allowed-roots.json'), 40)).toBe(-1);
  const status = await studio.evaluate(async () => (await fetch('/image?path=/etc/passwd')).status);
  expect(status).toBe(403);

  // the Dataset screen shows the sample's images as decoded thumbnails
  const thumbs = studio.getByRole('list', { name: 'Thumbnails' }).locator('img');
  await expect(thumbs.first()).toBeVisible({ timeout: 60_000 });
  await expect
    .poll(() => thumbs.evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0).length), { timeout: 30_000 })
    .toBeGreaterThan(5);
  await studio.screenshot({ path: 'test-results/foundation-sample-dataset.png' });
});

test('responses carry the CSP that allows only this host and its WebSocket', async ({ studio, webHost }) => {
  const res = await studio.request.get(`http://127.0.0.1:${webHost.port}/`);
  expect(res.status()).toBe(200);
  const csp = res.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${webHost.port}`);
  expect(csp).toContain("frame-ancestors 'none'");
});
