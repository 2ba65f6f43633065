// Electron's security checklist (electronjs.org/docs/latest/tutorial/security), one test per applicable item, against the pure modules and sources the shell uses.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BASE_CSP, ELECTRON_CSP, webCsp } from '../../src/shared/csp';
import { EXTERNAL_LINK_HOSTS, isExternalLinkAllowed } from '../../src/main/external-links';
import { isAppUrl, isNavigationAllowed, senderAllowed, type AppOrigin } from '../../src/main/navigation-guard';
import { windowOptions } from '../../src/main/window-options';
import { computeWindowOptions } from '../../src/main/compute-window-options';
import { FUSE_CHOICES, fuseConfig } from '../../scripts/fuse-map';
import { applyFuses } from '../../scripts/flip-fuses';
import { REPO_ROOT } from '../support/shared-fixtures';
import { directives } from '../support/csp-directives';

const read = (rel: string) => readFileSync(join(REPO_ROOT, rel), 'utf8');
const MAIN = read('src/main/index.ts');
const built: AppOrigin = { indexFileUrl: pathToFileURL('/opt/multicrop/out/renderer/index.html').href, devServerUrl: null };

function sourceFiles(dir: string, exts = ['.ts', '.vue', '.mjs', '.js', '.cjs', '.html']): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (exts.some((e) => name.endsWith(e))) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

describe('1. only secure content', () => {
  it('the CSPs allow no remote origin, no http(s): scheme and no wildcard', () => {
    for (const csp of [BASE_CSP, ELECTRON_CSP, webCsp('127.0.0.1:8765')]) {
      for (const [name, values] of Object.entries(directives(csp))) {
        for (const v of values) {
          expect(v, `${name} ${v}`).not.toMatch(/^\*|^https?:$|^https?:\/\/(?!127\.0\.0\.1)/);
          if (name !== 'connect-src') expect(v).not.toMatch(/^wss?:/);
        }
      }
    }
  });
  it('the renderer page loads nothing from the network', () => {
    for (const file of ['src/renderer/index.html', 'out/renderer/index.html'].filter((f) => existsSync(join(REPO_ROOT, f)))) {
      const html = read(file);
      expect(html, file).not.toMatch(/(src|href)\s*=\s*["'](https?:)?\/\//i);
    }
  });
  it('the window shows only the app page: no http(s) origin, no other file', () => {
    expect(isAppUrl('https://example.com/', built)).toBe(false);
    expect(isAppUrl('http://127.0.0.1:1234/', built)).toBe(false);
    expect(isAppUrl('file:///opt/multicrop/out/renderer/index.html', built)).toBe(true);
    expect(isAppUrl('file:///opt/multicrop/out/renderer/../renderer/x.html', built)).toBe(false);
  });
});

describe.each([
  { window: 'main window', wp: windowOptions('/opt/multicrop/out/preload/index.cjs').webPreferences!, extra: [] as string[] },
  // The hidden compute window (WebGPU): the same settings, and not throttled while hidden.
  { window: 'compute window', wp: computeWindowOptions('/opt/multicrop/out/preload/compute.cjs').webPreferences!, extra: ['backgroundThrottling'] },
])('2-4, 6, 8-10. webPreferences of the $window', ({ wp, extra }) => {
  it('no Node integration anywhere, context isolation, sandbox, web security, no insecure content, no experimental or Blink features', () => {
    expect(wp).toMatchObject({
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      contextIsolation: true,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
    expect(wp).not.toHaveProperty('enableBlinkFeatures');
    expect(wp).not.toHaveProperty('additionalArguments');
    expect(wp).not.toHaveProperty('partition');
  });
  it('sets only reviewed webPreferences keys (a new key must be reviewed here first)', () => {
    expect(Object.keys(wp).sort()).toEqual(
      [
        'allowRunningInsecureContent',
        'contextIsolation',
        'experimentalFeatures',
        'navigateOnDragDrop',
        'nodeIntegration',
        'nodeIntegrationInSubFrames',
        'nodeIntegrationInWorker',
        'preload',
        'sandbox',
        'spellcheck',
        'webSecurity',
        'webviewTag',
        ...extra,
      ].sort(),
    );
  });
});

describe('2-4, 6, 8-10. protections in the code', () => {
  it('no source or build file switches a protection off (src/**, out/main, out/preload)', () => {
    const files = [...sourceFiles(join(REPO_ROOT, 'src')), ...sourceFiles(join(REPO_ROOT, 'out/main')), ...sourceFiles(join(REPO_ROOT, 'out/preload'))];
    expect(files.length).toBeGreaterThan(20);
    const forbidden = [
      /nodeIntegration(InWorker|InSubFrames)?\s*:\s*true/,
      /contextIsolation\s*:\s*false/,
      /sandbox\s*:\s*false/,
      /webSecurity\s*:\s*false/,
      /allowRunningInsecureContent\s*:\s*true/,
      /experimentalFeatures\s*:\s*true/,
      /enableBlinkFeatures/,
      /webviewTag\s*:\s*true/,
      /enableRemoteModule/,
      /allowpopups/,
      /appendSwitch\(\s*['"](no-sandbox|disable-web-security|disable-site-isolation-trials|ignore-certificate-errors)/,
    ];
    // Chromium flags on the command line matter only in the Electron app itself (the CLI's benchmark drives a separate headless Chromium).
    const electronOnly = /--no-sandbox|--disable-web-security|disableWebSecurity/;
    const isElectronCode = (rel: string) => /^src\/(main|preload|renderer)\/|^out\/main\/index\.js$|^out\/preload\//.test(rel);
    const hits: string[] = [];
    for (const f of files) {
      const rel = f.slice(REPO_ROOT.length + 1);
      const text = readFileSync(f, 'utf8');
      for (const re of forbidden) if (re.test(text)) hits.push(`${rel}: ${re}`);
      if (isElectronCode(rel) && electronOnly.test(text)) hits.push(`${rel}: ${electronOnly}`);
    }
    expect(hits).toEqual([]);
  });
  it('the built main process creates its two windows from windowOptions and computeWindowOptions (the pure functions tested above)', () => {
    const file = join(REPO_ROOT, 'out/main/index.js');
    if (!existsSync(file)) return expect(MAIN).toMatch(/new BrowserWindow\(windowOptions\(/);
    const js = readFileSync(file, 'utf8');
    expect(js.match(/new BrowserWindow\(/g)?.length).toBe(2);
    expect(js).toMatch(/new BrowserWindow\(windowOptions\(/);
    expect(js).toMatch(/new BrowserWindow\(computeWindowOptions\(/);
    expect(js).toMatch(/contextIsolation: true/);
    expect(js).toMatch(/sandbox: true/);
  });
});

describe('5. permission requests', () => {
  it('every permission request and check is denied for the session', () => {
    expect(MAIN).toMatch(/setPermissionRequestHandler\(\(_wc, _permission, callback\) => callback\(false\)\)/);
    expect(MAIN).toMatch(/setPermissionCheckHandler\(\(\) => false\)/);
    expect(MAIN).not.toMatch(/callback\(true\)/);
  });
});

describe('7. content security policy', () => {
  it('is sent as a header on every response of the Electron session', () => {
    expect(MAIN).toMatch(/onHeadersReceived\([\s\S]{0,200}'Content-Security-Policy': \[ELECTRON_CSP\]/);
  });
  it('forbids eval, inline scripts, plugins, base-URI changes and framing', () => {
    for (const csp of [ELECTRON_CSP, webCsp('127.0.0.1:1')]) {
      const d = directives(csp);
      expect(csp).not.toMatch(/unsafe-eval|unsafe-hashes|strict-dynamic/);
      expect(d['script-src']).toEqual(["'self'"]);
      expect(d['object-src']).toEqual(["'none'"]);
      expect(d['base-uri']).toEqual(["'none'"]);
      expect(d['frame-ancestors']).toEqual(["'none'"]);
    }
  });
});

describe('11-12. <webview>', () => {
  it('the tag is disabled and any attach attempt is cancelled for every WebContents', () => {
    expect(windowOptions('/p').webPreferences!.webviewTag).toBe(false);
    expect(MAIN).toMatch(/app\.on\('web-contents-created'[\s\S]*contents\.on\('will-attach-webview', \(event\) => event\.preventDefault\(\)\)/);
  });
});

describe('13-14. navigation and new windows', () => {
  it('will-navigate and will-redirect are checked, and window.open is always denied, for every WebContents', () => {
    const block = /app\.on\('web-contents-created'[\s\S]*?\n}\);/.exec(MAIN)?.[0] ?? '';
    expect(block).toMatch(/setWindowOpenHandler\([\s\S]*return windowOpenDecision\(\);/);
    expect(block).toMatch(/will-navigate[\s\S]*if \(!isNavigationAllowed\(url, appOrigin\)\) event\.preventDefault\(\)/);
    expect(block).toMatch(/will-redirect[\s\S]*if \(!isNavigationAllowed\(url, appOrigin\)\) event\.preventDefault\(\)/);
  });
  it('refuses schemes an attacker would use to leave the page', () => {
    for (const url of ['about:blank', 'data:text/html,<script>1</script>', 'blob:file:///x', 'chrome://settings', 'devtools://devtools/bundled/x.html', 'studio-image://img/?path=/etc/passwd', 'view-source:file:///opt/multicrop/out/renderer/index.html', 'file://evil.example/opt/multicrop/out/renderer/index.html']) {
      expect(isNavigationAllowed(url, built), url).toBe(false);
    }
  });
});

describe('15. shell.openExternal', () => {
  it('only https links to the allowlisted hosts, without credentials or ports', () => {
    expect(isExternalLinkAllowed('https://github.com/facebookresearch/dino')).toBe(true);
    expect(isExternalLinkAllowed('https://arxiv.org/abs/2104.14294')).toBe(true);
    for (const url of [
      'http://github.com/facebookresearch/dino',
      'https://github.com.evil.example/',
      'https://evil.example/?https://github.com',
      'https://user:pw@github.com/',
      'https://github.com:8443/',
      'file:///etc/passwd',
      'smb://server/share',
      'javascript:alert(1)',
      'ms-msdt:/id PCWDiagnostic',
      'https://gist.github.com/x',
      'not a url',
      `https://github.com/${'a'.repeat(3000)}`,
      42,
    ]) {
      expect(isExternalLinkAllowed(url), String(url).slice(0, 60)).toBe(false);
    }
    for (const h of EXTERNAL_LINK_HOSTS) expect(h).toMatch(/^[a-z0-9.-]+\.[a-z]+$/);
  });
  it('every call to shell.openExternal in the sources is guarded by the allowlist on the same line', () => {
    const calls: string[] = [];
    for (const f of sourceFiles(join(REPO_ROOT, 'src'))) {
      for (const line of readFileSync(f, 'utf8').split('\n')) if (line.includes('openExternal(')) calls.push(line.trim());
    }
    expect(calls.length).toBeGreaterThan(0);
    for (const line of calls) expect(line).toMatch(/^if \(isExternalLinkAllowed\((\w+)\)\) void shell\.openExternal\(\1\);$/);
  });
});

describe('16. a current Electron', () => {
  it('is pinned exactly (upgrades are deliberate)', () => {
    const pkg = JSON.parse(read('package.json')) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies.electron).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Number(pkg.devDependencies.electron!.split('.')[0])).toBeGreaterThanOrEqual(45);
  });
});

describe('17. IPC senders', () => {
  it('every channel is registered through the validating wrapper, and raw ipcMain is used nowhere else', () => {
    expect(MAIN).toMatch(/for \(const channel of CHANNELS\) \{[\s\S]*?handleChannel\(channel, appOrigin,[\s\S]*?handleChannel\(channel, appOrigin,/);
    for (const f of sourceFiles(join(REPO_ROOT, 'src'), ['.ts', '.vue'])) {
      const rel = f.slice(REPO_ROOT.length + 1);
      const text = readFileSync(f, 'utf8');
      if (rel !== 'src/main/typed-ipc.ts') expect(text, rel).not.toMatch(/ipcMain\.(handle|on|once)\(/);
      // The compute window's preload only receives the engine's port (one ipcRenderer.on, nothing sent or exposed).
      if (rel === 'src/preload/compute.ts') {
        expect(text.match(/ipcRenderer\.\w+/g), rel).toEqual(['ipcRenderer.on']);
        expect(text, rel).not.toMatch(/exposeInMainWorld|contextBridge/);
      } else if (rel !== 'src/preload/index.ts') expect(text, rel).not.toMatch(/ipcRenderer/);
    }
  });
  it('a frame that is not the app page (or no frame) is refused', () => {
    for (const url of ['https://evil.example/', 'file:///tmp/evil.html', 'about:blank', 'devtools://devtools/', '']) {
      expect(senderAllowed({ senderFrame: { url } }, built), url).toBe(false);
    }
  });
});

describe('the preload exposes named functions only', () => {
  it('one exposeInMainWorld("studio", ...) and no generic invoke reachable from the page (source and build)', () => {
    const files = ['src/preload/index.ts', 'out/preload/index.cjs'].filter((f) => existsSync(join(REPO_ROOT, f)));
    for (const f of files) {
      const text = read(f);
      expect(text.match(/exposeInMainWorld\(/g)?.length, f).toBe(1);
      expect(text, f).toMatch(/exposeInMainWorld\(["']studio["'], studio\)/);
      // the only invoke is the transport handed to createStudioApi, whose methods each bind their own channel (see electron-shell-harness)
      expect(text.match(/\.invoke\(/g)?.length, f).toBe(1);
      expect(text, f).toMatch(/createStudioApi\(\{\s*call: \(channel, request\) => (electron\.)?ipcRenderer\.invoke\(channel, request\)/);
      expect(text, f).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer|\bsend\(|sendSync\(|postMessage\(/);
    }
  });
});

describe('18. custom protocol instead of file:// for data', () => {
  it('the image scheme is privileged only as standard/secure/fetch (no CSP bypass), and the renderer never builds file:// URLs', () => {
    const proto = read('src/main/image-protocol.ts');
    expect(proto).toMatch(/privileges: \{ standard: true, secure: true, supportFetchAPI: true \}/);
    expect(proto).not.toMatch(/bypassCSP|allowServiceWorkers|corsEnabled|stream: true/);
    for (const f of sourceFiles(join(REPO_ROOT, 'src/renderer/src'))) expect(readFileSync(f, 'utf8'), f).not.toMatch(/file:\/\//);
  });
});

describe('19. fuses', () => {
  it('decides every fuse @electron/fuses knows, with a reason, and turns off the code-injection paths', () => {
    const cfg = fuseConfig() as unknown as Record<string, unknown>;
    expect(cfg.strictlyRequireAllFuses).toBe(true);
    expect(FUSE_CHOICES.RunAsNode.value).toBe(false);
    expect(FUSE_CHOICES.EnableNodeOptionsEnvironmentVariable.value).toBe(false);
    expect(FUSE_CHOICES.EnableNodeCliInspectArguments.value).toBe(false);
    expect(FUSE_CHOICES.OnlyLoadAppFromAsar.value).toBe(true);
    expect(FUSE_CHOICES.EnableEmbeddedAsarIntegrityValidation.value).toBe(true);
    expect(FUSE_CHOICES.EnableCookieEncryption.value).toBe(true);
    for (const [name, c] of Object.entries(FUSE_CHOICES)) expect(c.reason.length, name).toBeGreaterThan(20);
    // the engine never relies on run-as-node or NODE_OPTIONS
    for (const f of sourceFiles(join(REPO_ROOT, 'src'))) expect(readFileSync(f, 'utf8'), f).not.toMatch(/ELECTRON_RUN_AS_NODE|NODE_OPTIONS/);
  });
  it('flip-fuses rewrites a fuse wire in place to exactly the map (on a file carrying the Electron sentinel)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuses-'));
    try {
      const file = join(dir, 'electron');
      const ENABLE = 49;
      const DISABLE = 48;
      const head = Buffer.alloc(4096, 0x90);
      const wire = Buffer.from([1, 9, ...Array<number>(9).fill(ENABLE)]);
      writeFileSync(file, Buffer.concat([head, Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), wire, Buffer.alloc(4096, 0xcc)]));
      const fuses = await applyFuses(file);
      for (const [name, c] of Object.entries(FUSE_CHOICES)) expect(fuses[name], name).toBe(c.value);
      const after = readFileSync(file);
      expect(after.length).toBe(4096 + 32 + 11 + 4096);
      expect(after.subarray(0, 4096).equals(head)).toBe(true);
      expect([...after.subarray(4096 + 32 + 2, 4096 + 32 + 11)]).toEqual(Object.values(FUSE_CHOICES).map((c) => (c.value ? ENABLE : DISABLE)));
      // a binary with an unknown (longer) wire is refused until the new fuse is decided
      writeFileSync(file, Buffer.concat([head, Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, 10, ...Array<number>(10).fill(ENABLE)])]));
      await expect(applyFuses(file)).rejects.toThrow(/could not flip the fuses/);
      writeFileSync(file, 'not electron');
      await expect(applyFuses(file)).rejects.toThrow(/sentinel/);
      await expect(applyFuses(join(dir, 'missing'))).rejects.toThrow(/does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
