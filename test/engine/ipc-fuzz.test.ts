// IPC fuzzing through the real engine dispatcher: thousands of seeded malformed/hostile requests per run, each answered by an error envelope, no file touched, no prototype polluted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, type EngineDispatcher } from '../../src/engine/engine-dispatcher';
import { RECIPE_DEFAULTS } from '../../src/shared/config-schema';
import { CHANNELS } from '../../src/shared/ipc-contract';
import { checkAnswer, newTally } from '../support/check-envelope';
import { fuzzAll, TINY_AUGMENT } from '../support/fuzz-requests';
import { hashTree, looksPolluted, makeFuzzSandbox, prototypeSnapshot, type FuzzSandbox } from '../support/fuzz-sandbox';

const SEED = Number(process.env.MULTICROP_FUZZ_SEED ?? 20261127);
const PER_CHANNEL = Number(process.env.MULTICROP_FUZZ_PER_CHANNEL ?? 400);

let s: FuzzSandbox;
let dispatcher: EngineDispatcher;
beforeAll(async () => {
  s = await makeFuzzSandbox('ipc-fuzz-');
  dispatcher = createDispatcher({ dataDir: s.dataDir, emit: () => undefined });
  dispatcher.roots.allow(s.datasetDir);
});
afterAll(() => s?.dispose());

describe('the engine dispatcher under fuzzing', () => {
  it(`answers ${PER_CHANNEL} generated requests per channel (seed ${SEED}) with envelopes, touching no file and polluting no prototype`, async () => {
    const before = { sandbox: hashTree(s.base), protos: prototypeSnapshot() };
    const cases = fuzzAll(s, SEED, PER_CHANNEL);
    const tally = newTally();
    const failures: string[] = [];
    for (const c of cases) {
      const answer = await dispatcher.dispatch(c.channel, c.request);
      const wrong = checkAnswer(c, answer, tally);
      if (wrong && failures.length < 20) failures.push(`${c.channel} [${c.mutation}]: ${wrong}`);
      if (looksPolluted() && failures.length < 20) failures.push(`${c.channel} [${c.mutation}]: Object.prototype polluted`);
    }
    console.log(`ipc-fuzz: ${tally.sent} requests over ${CHANNELS.length} channels, ${tally.ok} valid answers, errors ${JSON.stringify(tally.errors)}`);
    expect(failures, failures.join('\n')).toEqual([]);
    expect(tally.sent).toBe(PER_CHANNEL * CHANNELS.length);
    expect(prototypeSnapshot()).toBe(before.protos);
    expect(hashTree(s.base), 'the sandbox (data folder, opened dataset, outside folder) changed').toBe(before.sandbox);
    // Every kind of hostility was generated.
    expect(Object.keys(tally.byMutation).length).toBeGreaterThan(15);
  });

  it('keeps serving afterwards: a valid info call and a preview of an opened image answer', async () => {
    const info = await dispatcher.dispatch('app:info', {});
    expect(info.ok).toBe(true);
    const preview = await dispatcher.dispatch('augment:preview', { image: s.datasetImage, config: TINY_AUGMENT, seed: 1 });
    expect(preview.ok, JSON.stringify(preview).slice(0, 300)).toBe(true);
  });

  it('refuses relative paths instead of resolving them against the engine\'s working folder', async () => {
    const cwd = process.cwd();
    const before = hashTree(s.base);
    process.chdir(s.base);
    try {
      // "outside" exists relative to this working folder: scanning it would silently open (and record) a folder nobody chose.
      for (const path of ['outside', './outside', 'dataset/../outside', '.']) {
        const r = await dispatcher.dispatch('dataset:scan', { path });
        expect(r.ok, `dataset:scan ${path}: ${JSON.stringify(r).slice(0, 200)}`).toBe(false);
      }
      for (const path of ['outside', 'dataset']) {
        const r = await dispatcher.dispatch('train:start', { dataset: path, config: RECIPE_DEFAULTS });
        expect(r, `train:start ${path}`).toMatchObject({ ok: false, error: { code: 'bad_input' } });
      }
      for (const path of ['outside', './outside', '.']) {
        expect(await dispatcher.dispatch('folders:open', { path }), `folders:open ${path}`).toMatchObject({ ok: false, error: { code: 'bad_input' } });
      }
      const listing = await dispatcher.dispatch('fs:listDir', { path: 'outside' });
      expect(listing.ok).toBe(false);
    } finally {
      process.chdir(cwd);
    }
    expect(hashTree(s.base)).toBe(before);
  });
});
