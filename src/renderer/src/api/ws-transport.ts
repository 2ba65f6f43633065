// The browser tab's transport: the IPC contract over the web host's WebSocket (the auth cookie rides along), reconnecting if dropped.
import type { Channel, Envelope, EventName } from '../../../shared/ipc-contract';
import { imageQuery, type StudioTransport } from '../../../shared/studio-api-factory';
import { IMAGE_PATH, WS_PATH, type WsServerMessage } from '../../../shared/ws-protocol';

interface Pending {
  channel: Channel;
  resolve: (e: Envelope<unknown>) => void;
}

export function createWsTransport(location: Location = window.location): StudioTransport {
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`;
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const queue: string[] = [];
  let nextId = 1;
  let socket: WebSocket | null = null;
  let retryMs = 250;

  function connect(): WebSocket {
    const ws = new WebSocket(wsUrl);
    ws.onopen = () => {
      retryMs = 250;
      for (const text of queue.splice(0)) ws.send(text);
    };
    ws.onmessage = (ev) => {
      let msg: WsServerMessage;
      try {
        msg = JSON.parse(String(ev.data)) as WsServerMessage;
      } catch {
        return;
      }
      if (msg.t === 'event') {
        for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
      } else if (msg.t === 'result') {
        const p = pending.get(msg.id);
        if (p) {
          pending.delete(msg.id);
          p.resolve(msg.envelope);
        }
      }
    };
    ws.onclose = () => {
      socket = null;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.resolve({ ok: false, error: { code: 'internal', message: `${p.channel}: the connection to the web host closed; check that "multicrop serve" is still running, then retry` } });
      }
      setTimeout(() => {
        socket ??= connect();
      }, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
    return ws;
  }

  return {
    call(channel, request) {
      return new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, { channel, resolve });
        const text = JSON.stringify({ t: 'call', id, channel, request });
        socket ??= connect();
        if (socket.readyState === WebSocket.OPEN) socket.send(text);
        else queue.push(text);
      });
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      socket ??= connect();
      return () => set.delete(listener);
    },
    imageUrl(absPath, width) {
      return `${IMAGE_PATH}?${imageQuery(absPath, width)}`;
    },
  };
}
