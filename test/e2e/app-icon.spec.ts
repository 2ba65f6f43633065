// The browser tab's favicon is the app's icon (resources/icon.svg, served by the web host under its CSP).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, REPO } from './support/web-host-fixture';

test('the page links the app icon and the web host serves the same bytes', async ({ studio }) => {
  await expect(studio.locator('.badge.mode')).toHaveText('browser tab');
  const href = await studio.locator('link[rel="icon"][type="image/svg+xml"]').getAttribute('href');
  expect(href).toBe('./icon.svg');
  const served = await studio.evaluate(async (h) => {
    const r = await fetch(h);
    return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
  }, href!);
  expect(served.status).toBe(200);
  expect(served.type).toContain('image/svg+xml');
  expect(served.body).toBe(readFileSync(join(REPO, 'resources/icon.svg'), 'utf8'));
  // it also decodes as an image in the page (img-src 'self' allows it)
  const width = await studio.evaluate(async () => {
    const img = new Image();
    img.src = './icon.png';
    await img.decode();
    return img.naturalWidth;
  });
  expect(width).toBe(512);
});
