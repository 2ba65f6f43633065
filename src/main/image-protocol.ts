// The studio-image:// protocol: images under the folders the user opened, through the engine's confinement (same as the web host's /image).
import { protocol } from 'electron';
import type { EngineClient } from '../engine/engine-client';
import { IMAGE_SCHEME } from './ipc-events';

/** Must run before app 'ready'. */
export function registerImageScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: IMAGE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

export function handleImageProtocol(engine: EngineClient): void {
  protocol.handle(IMAGE_SCHEME, async (request) => {
    const url = new URL(request.url);
    const path = url.searchParams.get('path') ?? '';
    const w = url.searchParams.get('w');
    const reply = await engine.image(path, w === null ? undefined : Number(w));
    if (!reply.ok) return new Response(reply.message, { status: reply.status, headers: { 'Content-Type': 'text/plain' } });
    return new Response(Buffer.from(reply.bytes), { status: 200, headers: { 'Content-Type': reply.mime } });
  });
}
