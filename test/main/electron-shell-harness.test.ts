// The shell's Electron-facing wrappers driven through a recording stand-in for the absent Electron binary: sender validation on every channel, the image protocol's confinement, and the built preload's exposed surface.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDispatcher } from '../../src/engine/engine-dispatcher';
import { ForkedEngineClient, type EngineLink } from '../../src/engine/engine-client';
import type { EngineToHost } from '../../src/engine/engine-messages';
import { CHANNELS, methodName, type Envelope } from '../../src/shared/ipc-contract';
import { REPO_ROOT } from '../support/shared-fixtures';
import { makeFuzzSandbox, type FuzzSandbox } from '../support/fuzz-sandbox';

type IpcHandler = (event: { senderFrame: { url: string } | null }, request: unknown) => Promise<Envelope<unknown>>;
const recorded = vi.hoisted(() => ({
  ipc: new Map<string, unknown>(),
  protocol: null as null | ((request: { url: string }) => Promise<Response>),
  schemes: [] as unknown[],
}));
vi.mock('electron', () => ({
  ipcMain: { handle: (channel: string, fn: unknown) => recorded.ipc.set(channel, fn) },
  protocol: {
    registerSchemesAsPrivileged: (s: unknown[]) => recorded.schemes.push(...s),
    handle: (_scheme: string, fn: (request: { url: string }) => Promise<Response>) => (recorded.protocol = fn),
  },
}));

const { handleChannel } = await import('../../src/main/typed-ipc');
const { handleImageProtocol, registerImageScheme } = await import('../../src/main/image-protocol');

const appOrigin = { indexFileUrl: pathToFileURL('/opt/multicrop/out/renderer/index.html').href, devServerUrl: null };

describe('17. sender validation on every channel', () => {
  it('refuses calls from foreign or missing frames before the handler runs, for all channels', async () => {
    const ran: string[] = [];
    for (const channel of CHANNELS) {
      handleChannel(channel, appOrigin, async (req) => {
        ran.push(channel);
        return { ok: true, value: req };
      });
    }
    expect([...recorded.ipc.keys()].sort()).toEqual([...CHANNELS].sort());
    const foreign = [{ url: 'https://evil.example/' }, { url: 'file:///tmp/evil.html' }, { url: 'data:text/html,x' }, null];
    for (const channel of CHANNELS) {
      const h = recorded.ipc.get(channel) as IpcHandler;
      for (const frame of foreign) {
        const r = await h({ senderFrame: frame }, {});
        expect(r, `${channel} from ${frame?.url ?? 'no frame'}`).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
    }
    expect(ran).toEqual([]);
    for (const channel of CHANNELS) {
      const h = recorded.ipc.get(channel) as IpcHandler;
      expect(await h({ senderFrame: { url: appOrigin.indexFileUrl } }, { x: 1 })).toEqual({ ok: true, value: { x: 1 } });
    }
    expect(ran).toEqual(CHANNELS);
  });
  it('turns a throwing handler into an internal envelope instead of a rejected invoke', async () => {
    handleChannel('app:info', appOrigin, async () => {
      throw new Error('boom');
    });
    const h = recorded.ipc.get('app:info') as IpcHandler;
    expect(await h({ senderFrame: { url: appOrigin.indexFileUrl } }, {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});

describe('18. the studio-image protocol through the real engine confinement', () => {
  let s: FuzzSandbox;
  let engine: ForkedEngineClient;
  beforeAll(async () => {
    s = await makeFuzzSandbox('image-protocol-');
    const dispatcher = createDispatcher({ dataDir: s.dataDir, emit: () => undefined });
    dispatcher.roots.allow(s.datasetDir);
    // The real client and dispatcher, joined in-process instead of across a utilityProcess.
    engine = new ForkedEngineClient((): EngineLink => {
      let deliver: (m: EngineToHost) => void = () => undefined;
      return {
        send: (m) => {
          if (m.type === 'image') void dispatcher.image(m.path, m.width).then((reply) => deliver({ type: 'image', id: m.id, reply }));
          else void dispatcher.dispatch(m.channel, m.request).then((envelope) => deliver({ type: 'response', id: m.id, envelope }));
        },
        onMessage: (cb) => (deliver = cb),
        onExit: () => undefined,
        kill: () => undefined,
      };
    });
    registerImageScheme();
    handleImageProtocol(engine);
  });
  afterAll(async () => {
    await engine?.dispose();
    s?.dispose();
  });
  const fetchImage = (path: string, w?: string) => recorded.protocol!({ url: `studio-image://img/?path=${encodeURIComponent(path)}${w ? `&w=${w}` : ''}` });

  it('registers the scheme as standard and secure only', () => {
    expect(recorded.schemes).toEqual([{ scheme: 'studio-image', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  });
  it('serves an opened image and refuses `..`, outside paths, symlinks out, non-images and bad widths', async () => {
    const ok = await fetchImage(s.datasetImage, '24');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^image\//);
    const cases: [string, number, string?][] = [
      [`${s.datasetDir}/../outside/secret.png`, 403],
      [s.outsideImage, 403],
      [s.linkOut, 403],
      [`${s.datasetDir}/dir-link-out/secret.png`, 403],
      ['/etc/passwd', 403],
      ['cats/a.png', 403],
      [s.missingInside, 404],
      [s.datasetText, 415],
      [s.datasetImage, 400, '0'],
      [s.datasetImage, 400, '100000'],
    ];
    for (const [path, status, w] of cases) {
      const r = await fetchImage(path, w);
      expect(r.status, `${path} w=${w}`).toBe(status);
      expect(r.headers.get('content-type')).toBe('text/plain');
    }
  });
});

describe('the built preload', () => {
  const file = join(REPO_ROOT, 'out/preload/index.cjs');
  it.skipIf(!existsSync(file))('exposes only window.studio: one function per channel bound to its own channel, events, imageUrl and the path of a dropped file', async () => {
    const exposed: [string, Record<string, unknown>][] = [];
    const invoked: [string, unknown][] = [];
    const subscribed: string[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (name: string, api: Record<string, unknown>) => exposed.push([name, api]) },
      ipcRenderer: {
        invoke: async (channel: string, request: unknown) => {
          invoked.push([channel, request]);
          return { ok: true, value: null };
        },
        on: (channel: string) => subscribed.push(channel),
      },
      webUtils: { getPathForFile: (f: { name: string }) => `/dropped/${f.name}` },
    };
    const module = { exports: {} };
    const code = `(function (require, module, exports) {${readFileSync(file, 'utf8')}\n})`;
    const fn = vm.runInNewContext(code, { URLSearchParams, Map, Set, String, Math, Error }) as (r: (id: string) => unknown, m: unknown, e: unknown) => void;
    fn((id) => {
      if (id !== 'electron') throw new Error(`the sandboxed preload may only require electron, not ${id}`);
      return electron;
    }, module, module.exports);

    expect(exposed.map(([n]) => n)).toEqual(['studio']);
    expect(subscribed).toEqual(['studio:event']);
    const api = exposed[0]![1];
    expect(Object.keys(api).sort()).toEqual([...CHANNELS.map(methodName), 'imageUrl', 'on', 'pathForFile'].sort());
    // a dropped folder's path (webUtils), nothing more
    expect((api.pathForFile as (f: { name: string }) => string)({ name: 'photos' })).toBe('/dropped/photos');
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
    for (const channel of CHANNELS) {
      // a renderer cannot redirect a method to another channel by what it passes
      await (api[methodName(channel)] as (r: unknown) => Promise<unknown>)('train:start');
      expect(invoked.at(-1)![0]).toBe(channel);
    }
    expect(invoked.map(([c]) => c)).toEqual(CHANNELS);
    expect(() => (api.on as (e: string, l: () => void) => void)('studio:event', () => undefined)).toThrow(/Unknown event/);
    expect((api.imageUrl as (p: string) => string)('/data/a b.png')).toBe('studio-image://img/?path=%2Fdata%2Fa+b.png');
    for (const banned of ['invoke', 'send', 'call', 'ipcRenderer', 'require', 'process']) expect(api).not.toHaveProperty(banned);
  });
});
