// worker_threads entry of the multi-crop loader: decodes images and answers the pool's requests.
import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';

/** A request from the pool: decode one image and report its oriented size. */
interface DecodeRequest {
  id: number;
  path: string;
}

sharp.concurrency(1);

parentPort?.on('message', (msg: DecodeRequest) => {
  sharp(msg.path)
    .autoOrient()
    .raw()
    .toBuffer({ resolveWithObject: true })
    .then(({ info }) => parentPort?.postMessage({ id: msg.id, ok: true, width: info.width, height: info.height }))
    .catch((e: unknown) => parentPort?.postMessage({ id: msg.id, ok: false, error: String(e) }));
});
