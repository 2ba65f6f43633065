// The typed ipcMain wrapper: one handler per channel, sender validated (frame URL must be our app), envelope results.
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { Channel, Envelope } from '../shared/ipc-contract';
import { isAppUrl, type AppOrigin } from './navigation-guard';

/** The frame calling must be our renderer page in one of our windows. */
export function senderAllowed(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, app: AppOrigin): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  return isAppUrl(frame.url, app);
}

export function handleChannel(channel: Channel, app: AppOrigin, handler: (request: unknown) => Promise<Envelope<unknown>>): void {
  ipcMain.handle(channel, async (event, request: unknown): Promise<Envelope<unknown>> => {
    if (!senderAllowed(event, app)) {
      return { ok: false, error: { code: 'forbidden', message: `${channel} refused: the request did not come from the Multicrop Studio window` } };
    }
    try {
      return await handler(request);
    } catch (e) {
      return { ok: false, error: { code: 'internal', message: `${channel} failed unexpectedly: ${(e as Error).message}` } };
    }
  });
}
