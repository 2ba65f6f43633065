// The eval worker dying mid-job (killed, or crashing on an uncaught exception): the job fails saying so, the engine stays up, the next job gets a fresh thread.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../src/shared/ipc-contract';
import type { HandlerContext } from '../../../src/engine/handlers/handler-types';
import { evalHandlers, evalThread } from '../../../src/engine/handlers/eval-handlers';
import { StudioFailure } from '../../../src/engine/studio-failure';
import { colourFolder } from '../../support/colour-folders';
import { makeRun, smallConfig } from '../io/make-run';
import { handlerContext } from '../../support/handler-context';

const root = mkdtempSync(join(tmpdir(), 'mc-evalcrash-'));
afterAll(async () => {
  await evalThread.close();
  rmSync(root, { recursive: true, force: true });
});

/** A handler context that opened `root` and calls `onProgress` on each progress event. */
const context = (onProgress?: (e: ProgressEvent) => void) => handlerContext({ dataDir: root, opened: [root], onProgress });

describe('eval worker crash recovery', () => {
  let runId: string;
  const knn = (ctx: HandlerContext) => evalHandlers['eval:knn']!({ source: { runId }, train: join(root, 'train'), val: join(root, 'val'), k: 20 }, ctx);
  beforeAll(async () => {
    const { runDir } = await makeRun(join(root, 'runs'), smallConfig({ globalSize: 32 }), [0]);
    runId = runDir.split(sep).pop()!;
    await colourFolder(join(root, 'train'), 30, 1); // enough images that the job is still extracting when it is killed
    await colourFolder(join(root, 'val'), 3, 2);
  });

  it('a worker killed during a k-NN job fails that job with a clear message; the next job runs on a fresh thread', async () => {
    let killed: number | null = null;
    const first = await knn(
      context(() => {
        const w = evalThread.worker;
        if (killed === null && w) {
          killed = w.threadId;
          void w.terminate(); // as the system would kill it (out of memory, a signal)
        }
      }),
    ).catch((e: unknown) => e);
    expect(killed).not.toBeNull();
    expect(first).toBeInstanceOf(StudioFailure);
    expect((first as StudioFailure).code).toBe('internal');
    expect((first as Error).message).toMatch(/^the evaluation thread stopped during the k-NN evaluation, it exited with code 1\. Run it again: a fresh evaluation thread starts/);
    expect(evalThread.worker).toBeNull();

    const second = await knn(context());
    expect(second).toMatchObject({ top1: 1, train: 90, val: 9, checkpoint: 'step-00000000' });
    expect(evalThread.worker!.threadId).not.toBe(killed);
  });

  it('a worker crashing on an uncaught exception fails the job it runs; the job queued behind it runs on a fresh thread', async () => {
    let crashed: number | null = null;
    const running = knn(
      context(() => {
        const w = evalThread.worker;
        if (crashed === null && w) {
          crashed = w.threadId;
          // an unreadable request: the worker's message handler throws outside its try, an uncaught exception in the
          // thread ('error', then 'exit')
          w.postMessage(null);
        }
      }),
    ).catch((e: unknown) => e);
    const queued = knn(context()).catch((e: unknown) => e); // waits for the running job
    const first = await running;
    expect(crashed).not.toBeNull();
    expect(first).toBeInstanceOf(StudioFailure);
    expect((first as Error).message).toMatch(/^the evaluation thread stopped during the k-NN evaluation, it crashed: .+\. Run it again/);
    // the crash's second event ('exit') must not fail the job that already went to the fresh thread
    expect(await queued).toMatchObject({ top1: 1, train: 90, val: 9 });
    expect(evalThread.worker!.threadId).not.toBe(crashed);
  });
});
