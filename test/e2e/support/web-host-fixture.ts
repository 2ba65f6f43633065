// Playwright fixture: starts the built web host (out/main/cli.js serve) on a free port with a temp data folder and opens its token URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';

export const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const CLI = join(REPO, 'out/main/cli.js');

export interface WebHostHandle {
  url: string;
  port: number;
  dataDir: string;
  /** Everything the host printed on stderr (for failure messages). */
  stderr(): string;
}

/** Start `multicrop serve --json` and wait for its URL line (`env`: extra variables for the host, e.g. a Vulkan driver for Dawn). */
export async function startBuiltWebHost(
  dataDir: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<{ handle: WebHostHandle; child: ChildProcess }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" before the end-to-end tests`);
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--json', ...extraArgs], {
    cwd: REPO,
    env: { ...process.env, ...env, MULTICROP_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const info = await new Promise<{ url: string; port: number }>((resolveInfo, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the web host printed no URL within 60 s; stderr:\n${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{') && l.includes('"url"'));
      if (line) {
        clearTimeout(timer);
        resolveInfo(JSON.parse(line) as { url: string; port: number });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the web host exited (code ${code}) before printing its URL; stderr:\n${err}`));
    });
  });
  return { handle: { ...info, dataDir, stderr: () => err }, child };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((r) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      r();
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      r();
    });
    child.kill('SIGTERM');
  });
}

export const test = base.extend<{ studio: Page }, { webHost: WebHostHandle }>({
  webHost: [
    async ({}, use) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'multicrop-e2e-'));
      const { handle, child } = await startBuiltWebHost(dataDir);
      await use(handle);
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 90_000 },
  ],
  studio: async ({ page, webHost }, use) => {
    await page.goto(webHost.url);
    await use(page);
  },
});

export { expect };
