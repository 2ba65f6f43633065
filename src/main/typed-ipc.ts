// The typed ipcMain wrapper: one handler per channel, sender validated (frame URL must be our app), envelope results.
import { ipcMain } from 'electron';
import type { Channel, Envelope } from '../shared/ipc-contract';
import { senderAllowed, type AppOrigin } from './navigation-guard';

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
