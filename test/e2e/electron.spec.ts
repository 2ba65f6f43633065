// The desktop app under Playwright's _electron: sandboxed window, window.studio with named functions only, navigation and window.open denied.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, test, expect } from '@playwright/test';
import { electronBinary, hasDisplay } from './support/electron-binary';
import { REPO } from './support/web-host-fixture';

const bin = electronBinary();
const skipReason = 'reason' in bin ? bin.reason : !hasDisplay() ? 'no display (DISPLAY unset) for an Electron window' : null;

test.describe('Electron app', () => {
  test.skip(skipReason !== null, skipReason ?? '');

  test('opens one isolated window whose studio API answers and which cannot navigate away', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'multicrop-electron-'));
    const app = await electron.launch({
      executablePath: (bin as { path: string }).path,
      args: [REPO, '--no-sandbox'],
      env: { ...process.env, MULTICROP_DATA_DIR: dataDir },
    });
    try {
      const win = await app.firstWindow();
      await expect(win.locator('.badge.mode')).toHaveText('desktop app');
      const shape = await win.evaluate(() => {
        const s = (window as unknown as { studio: Record<string, unknown> }).studio;
        return {
          hasRequire: typeof (window as unknown as { require?: unknown }).require !== 'undefined',
          hasProcess: typeof (window as unknown as { process?: unknown }).process !== 'undefined',
          keys: Object.keys(s).sort(),
        };
      });
      expect(shape.hasRequire).toBe(false);
      expect(shape.hasProcess).toBe(false);
      expect(shape.keys).toContain('datasetScan');
      expect(shape.keys).not.toContain('invoke');
      const info = await win.evaluate(() => (window as unknown as { studio: { appInfo(r: object): Promise<unknown> } }).studio.appInfo({}));
      expect(info).toMatchObject({ ok: true, value: { mode: 'electron', dataDir } });
      const before = win.url();
      await win.evaluate(() => {
        window.open('https://example.com/');
        window.location.href = 'https://example.com/';
      });
      await win.waitForTimeout(500);
      expect(win.url()).toBe(before);
      expect(app.windows()).toHaveLength(1);
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
