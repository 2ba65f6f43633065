// The sandboxed preload: exposes window.studio with one named function per channel (never a generic invoke) and engine events, and pathForFile (the path of a folder the person dropped).
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { EventName } from '../shared/ipc-contract';
import { createStudioApi, imageQuery } from '../shared/studio-api-factory';
import { EVENT_IPC_CHANNEL, IMAGE_SCHEME } from '../main/ipc-events';

const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
ipcRenderer.on(EVENT_IPC_CHANNEL, (_event, message: { event: EventName; payload: unknown }) => {
  for (const l of listeners.get(message.event) ?? []) l(message.payload);
});

const studio = createStudioApi({
  call: (channel, request) => ipcRenderer.invoke(channel, request),
  on: (event, listener) => {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  },
  imageUrl: (absPath, width) => `${IMAGE_SCHEME}://img/?${imageQuery(absPath, width)}`,
});

// A folder dropped onto the window: only its path, which the renderer opens like a typed one (no file access is given).
Object.assign(studio, { pathForFile: (file: File) => webUtils.getPathForFile(file) });

contextBridge.exposeInMainWorld('studio', studio);
