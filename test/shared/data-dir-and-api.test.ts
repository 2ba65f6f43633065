// Data-folder precedence, the WebSocket message parser, and the StudioApi factory (named functions bound to their channels, known events only).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDataDir, runsDirOf } from '../../src/engine/roots/data-dir';
import { parseWsCall } from '../../src/shared/ws-protocol';
import { CHANNEL_LIST, channelMethod, createStudioApi, imageQuery } from '../../src/shared/studio-api-factory';
import type { EventName } from '../../src/shared/ipc-contract';

describe('resolveDataDir', () => {
  it('MULTICROP_DATA_DIR wins, then Electron userData, then XDG_DATA_HOME, then ~/.local/share', () => {
    expect(resolveDataDir({ MULTICROP_DATA_DIR: '/d/x', XDG_DATA_HOME: '/xdg' }, '/electron')).toBe('/d/x');
    expect(resolveDataDir({ XDG_DATA_HOME: '/xdg' }, '/electron/user')).toBe('/electron/user');
    expect(resolveDataDir({ XDG_DATA_HOME: '/xdg' })).toBe('/xdg/multicrop-studio');
    expect(resolveDataDir({ MULTICROP_DATA_DIR: '  ', XDG_DATA_HOME: '' })).toBe(join(homedir(), '.local/share/multicrop-studio'));
    expect(runsDirOf('/d/x')).toBe('/d/x/runs');
  });
});

describe('parseWsCall', () => {
  it('accepts a call and refuses anything else without throwing', () => {
    expect(parseWsCall('{"t":"call","id":3,"channel":"app:info","request":{}}')).toEqual({ t: 'call', id: 3, channel: 'app:info', request: {} });
    for (const raw of ['', 'nope', 'null', '[]', '{"t":"call"}', '{"t":"call","id":"1","channel":"a"}', '{"t":"call","id":1.5,"channel":"a"}', '{"t":"result","id":1,"channel":"a"}', '{"t":"call","id":1,"channel":5}']) {
      expect(parseWsCall(raw), raw).toBeNull();
    }
  });
});

describe('createStudioApi', () => {
  it('gives one function per channel, each calling only its own channel', async () => {
    const calls: [string, unknown][] = [];
    const api = createStudioApi({
      call: async (channel, request) => {
        calls.push([channel, request]);
        return { ok: true, value: channel };
      },
      on: () => () => undefined,
      imageUrl: (p, w) => `img:${imageQuery(p, w)}`,
    }) as unknown as Record<string, (req?: unknown) => Promise<unknown>>;
    for (const ch of CHANNEL_LIST) expect(await api[channelMethod(ch)]!({ n: 1 })).toEqual({ ok: true, value: ch });
    expect(calls.map((c) => c[0])).toEqual([...CHANNEL_LIST]);
    expect(Object.keys(api).filter((k) => typeof api[k] === 'function').sort()).toEqual([...CHANNEL_LIST.map(channelMethod), 'imageUrl', 'on'].sort());
    expect((api as unknown as { imageUrl(p: string, w: number): string }).imageUrl('/a b/c&d.png', 99.6)).toBe('img:path=%2Fa+b%2Fc%26d.png&w=100');
  });
  it('refuses to subscribe to an unknown event', () => {
    const api = createStudioApi({ call: async () => ({ ok: true, value: null }), on: () => () => undefined, imageUrl: () => '' });
    expect(() => api.on('shell' as EventName, () => undefined)).toThrow(/Unknown event/);
    expect(typeof api.on('progress', () => undefined)).toBe('function');
  });
});
