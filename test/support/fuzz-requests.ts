// Seeded generator of malformed and hostile requests for every IPC channel, each tagged with what the engine must answer.
import { SeededRng } from '../../src/engine/util/seeded-rng';
import { augmentPart, RECIPE_DEFAULTS } from '../../src/shared/config-schema';
import { CHANNELS, type Channel } from '../../src/shared/ipc-contract';
import type { FuzzSandbox } from './fuzz-sandbox';
import { tinyModelConfig } from './tiny-model-config';

/** invalid: an error envelope with code invalid_request; refused: any error envelope; any: an answer or an error envelope. */
export type Expectation = 'invalid' | 'refused' | 'any';

export interface FuzzCase {
  channel: Channel;
  request: unknown;
  /** What was done to the channel's harmless request (for failure messages and counts). */
  mutation: string;
  expect: Expectation;
}

export const MEGABYTE = 'A'.repeat(1_000_000);

/** {a:{a:{...}}} `depth` levels deep. */
export function deepNest(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}
const DEEP = deepNest(1000);
const DEEP_ARRAY = (() => {
  let v: unknown[] = [1];
  for (let i = 0; i < 1000; i++) v = [v];
  return v;
})();

/** Own `__proto__` / constructor keys exactly as JSON.parse produces them from a hostile client. */
function withHostileKey(obj: unknown, which: number): unknown {
  const base = obj && typeof obj === 'object' && !Array.isArray(obj) ? JSON.stringify(obj).slice(1, -1) : '';
  const sep = base ? ',' : '';
  const keys = [
    '"__proto__":{"polluted":true,"isAdmin":true}',
    '"constructor":{"prototype":{"polluted":true}}',
    '"prototype":{"polluted":true}',
    '"__proto__":{"toString":"x","valueOf":1}',
  ];
  return JSON.parse(`{${base}${sep}${keys[which % keys.length]}}`);
}

/** String-valued request fields that name a file or folder. */
const PATH_FIELDS = new Set(['path', 'image', 'dataset', 'train', 'val', 'out', 'weights']);

interface HostilePath {
  path: string;
  /** An existing folder once resolved (scanning or training it would legitimately open it: never sent to those channels). */
  isDir: boolean;
  /** Too long for the contract (must be invalid_request). */
  tooLong: boolean;
  /** Odd spelling of a path that still lies inside the opened folder (may be answered). */
  inside: boolean;
}

export function hostilePaths(s: FuzzSandbox): HostilePath[] {
  const p = (path: string, isDir = false, inside = false): HostilePath => ({ path, isDir, inside, tooLong: path.length > 4096 });
  return [
    p(s.outsideImage),
    p(s.outsideText),
    p(s.outsideWeights),
    p(s.outsideDir, true),
    p(`${s.datasetDir}/../outside/secret.png`),
    p(`${s.datasetDir}/cats/../../outside/secret.txt`),
    p(`${s.datasetDir}/../outside`, true),
    p(`${s.datasetDir}/../../../../../../etc/passwd`),
    p(s.linkOut),
    p(`${s.datasetDir}/dir-link-out/secret.png`),
    p(s.missingInside),
    p(s.missingOutside),
    p(`${s.datasetDir}/cats/a.png\0.txt`),
    p('/etc/passwd'),
    p('/etc/shadow'),
    p('/proc/self/environ'),
    p('/proc/self/mem'),
    p('/dev/null'),
    p('/root/.ssh/id_rsa'),
    p('~/.ssh/id_rsa'),
    p('../../etc/passwd'),
    p('cats/a.png'),
    p('file:///etc/passwd'),
    p('http://127.0.0.1:1/x.png'),
    p('%2e%2e/%2e%2e/etc/passwd'),
    p('..%2f..%2fetc%2fpasswd'),
    p('C:\\Windows\\System32\\..\\win.ini'),
    p('\\\\server\\share\\x.png'),
    p(`${s.datasetDir}/cats/a.png/`, false, true),
    p(`${s.datasetDir}//cats///a.png/..`, true, true),
    p(' '),
    p('\u202e\u0000'),
    p(`/${'a/'.repeat(2100)}x.png`),
    p(`/tmp/${'\u00e9'.repeat(5000)}.png`),
  ];
}

/** A fast, harmless augmentation (tiny crops) so valid previews stay cheap. */
export const TINY_AUGMENT = { ...augmentPart(RECIPE_DEFAULTS), globalSize: 64, localSize: 32, localCrops: 2 };

interface Base {
  request: Record<string, unknown>;
  /** What the unmodified request must get. */
  expect: Expectation;
  /** Never send a schema-valid form (it would do legitimate work that writes files, e.g. generate the sample dataset). */
  neverValid?: boolean;
}

/** A harmless request per channel: valid-but-harmless, or aimed at things that do not exist. */
export function baseRequests(s: FuzzSandbox): Record<Channel, Base> {
  const missingRun = 'no-such-run';
  return {
    'app:info': { request: {}, expect: 'any' },
    'backend:info': { request: {}, expect: 'any' },
    'fs:listDir': { request: { path: s.datasetDir }, expect: 'any' },
    'dataset:pickFolder': { request: {}, expect: 'refused' },
    'dataset:openSample': { request: {}, expect: 'any', neverValid: true },
    'dataset:recent': { request: {}, expect: 'any' },
    'dataset:scan': { request: { path: s.missingOutside }, expect: 'refused' },
    'folders:open': { request: { path: s.missingOutside }, expect: 'refused' },
    'folders:list': { request: {}, expect: 'any' },
    'folders:remove': { request: { path: s.missingOutside }, expect: 'refused' },
    'augment:preview': { request: { image: s.datasetImage, config: TINY_AUGMENT, seed: 7 }, expect: 'any' },
    'augment:stats': { request: { config: TINY_AUGMENT, seed: 3, samples: 20, width: 640, height: 480 }, expect: 'any' },
    'config:validate': { request: { config: { batchSize: 8 } }, expect: 'any' },
    'schedules:preview': { request: { config: RECIPE_DEFAULTS, datasetSize: 100, points: 20 }, expect: 'any' },
    'memory:estimate': { request: { config: RECIPE_DEFAULTS }, expect: 'any' },
    // a tiny model: the probe really times steps
    'train:probe': { request: { config: tinyModelConfig() }, expect: 'any' },
    'train:start': { request: { dataset: s.missingOutside, config: RECIPE_DEFAULTS }, expect: 'refused' },
    'train:pause': { request: { runId: missingRun }, expect: 'refused' },
    'train:resume': { request: { runId: missingRun }, expect: 'refused' },
    'train:stop': { request: { runId: missingRun }, expect: 'refused' },
    'train:status': { request: {}, expect: 'any' },
    'runs:list': { request: {}, expect: 'any' },
    'runs:get': { request: { runId: missingRun }, expect: 'refused' },
    'eval:knn': { request: { source: { runId: missingRun }, train: s.datasetDir, val: s.datasetDir, k: 5 }, expect: 'refused' },
    'eval:neighbours': { request: { source: { runId: missingRun }, train: s.datasetDir, image: s.datasetImage, k: 3 }, expect: 'refused' },
    'eval:attention': { request: { source: { weights: s.outsideWeights }, image: s.datasetImage, threshold: 0.5 }, expect: 'refused' },
    'export:run': { request: { runId: missingRun, format: 'safetensors' }, expect: 'refused' },
    'export:save': { request: { runId: missingRun, format: 'safetensors' }, expect: 'refused' },
    'eval:history': { request: { runId: missingRun }, expect: 'refused' },
    'dataset:cancelScan': { request: {}, expect: 'any' },
  };
}

/** Values that no field of the contract accepts in place of a string, number, boolean or object of another kind. */
const NEVER_VALID: [string, unknown][] = [
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['null', null],
  ['a 1 MB string', MEGABYTE],
  ['a 1000-deep array', DEEP_ARRAY],
];
/** Numbers at the edges: valid for some fields, out of range for others. */
const EDGE_NUMBERS: number[] = [-0, -1, 0, 0.5, 1, 1e308, -1e308, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 5e-324, 1e-7];

const CHANNELS_WITH_FREE_CONFIG = new Set<Channel>(['config:validate']);

function pick<T>(rng: SeededRng, list: readonly T[]): T {
  return list[rng.int(list.length)]!;
}

/** The value of a different kind than `v` (a number for a string, a string for a number, ...). */
function wrongKind(rng: SeededRng, v: unknown): [string, unknown] {
  if (typeof v === 'string') return pick(rng, [['a number', 42], ['true', true], ['an array', [v]], ['an object', { path: v }]] as [string, unknown][]);
  if (typeof v === 'number') return pick(rng, [['a numeric string', String(v)], ['true', true], ['an array', [v]], ['an object', { value: v }]] as [string, unknown][]);
  if (typeof v === 'boolean') return pick(rng, [['"true"', 'true'], ['1', 1]] as [string, unknown][]);
  if (Array.isArray(v)) return pick(rng, [['a string', 'x'], ['an object', { 0: 1, 1: 2 }], ['a number', 0.5]] as [string, unknown][]);
  return pick(rng, [['a string', '[object Object]'], ['a number', 1], ['an array', [v]]] as [string, unknown][]);
}

/** `count` cases for `channel`, deterministic in `seed`. */
export function fuzzChannel(channel: Channel, s: FuzzSandbox, seed: number, count: number): FuzzCase[] {
  const rng = new SeededRng(seed, CHANNELS.indexOf(channel), 0xf22);
  const bases = baseRequests(s);
  const base = bases[channel];
  const paths = hostilePaths(s);
  const freeConfig = CHANNELS_WITH_FREE_CONFIG.has(channel);
  const out: FuzzCase[] = [];
  const keys = Object.keys(base.request);
  const mainOnly = channel === 'dataset:pickFolder' || channel === 'export:save';
  const push = (mutation: string, request: unknown, expect: Expectation) => out.push({ channel, request, mutation, expect: mainOnly ? 'refused' : expect });

  while (out.length < count) {
    const r = rng.next();
    const req = structuredClone(base.request);
    if (r < 0.12) {
      const [what, v] = pick(rng, [
        ['null', null],
        ['undefined', undefined],
        ['a number', 7],
        ['NaN', Number.NaN],
        ['Infinity', Number.POSITIVE_INFINITY],
        ['true', true],
        ['a string', 'request'],
        ['an empty string', ''],
        ['an empty array', []],
        ['an array of the request', [req]],
        ['a 1 MB string', MEGABYTE],
        ['a 1000-deep object', DEEP],
        ['a 1000-deep array', DEEP_ARRAY],
      ] as [string, unknown][]);
      push(`request = ${what}`, v, 'invalid');
    } else if (r < 0.24) {
      const key = pick(rng, ['extra', 'isAdmin', 'then', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'a'.repeat(rng.int(3) === 0 ? 100_000 : 8)]);
      const value = pick(rng, [1, 'x', null, { polluted: true }, [], MEGABYTE] as unknown[]);
      push(`extra key ${key.slice(0, 20)}`, { ...req, [key]: value }, 'invalid');
    } else if (r < 0.36) {
      const which = rng.int(4);
      const target = keys.find((k) => req[k] && typeof req[k] === 'object' && !Array.isArray(req[k]));
      if (target && rng.next() < 0.5) {
        // inside a nested object (config or source)
        push(`${target} with a polluting key #${which}`, { ...req, [target]: withHostileKey(req[target], which) }, freeConfig && target === 'config' ? 'any' : 'invalid');
      } else {
        push(`polluting key #${which}`, withHostileKey(req, which), 'invalid');
      }
    } else if (r < 0.58 && keys.length > 0) {
      const key = pick(rng, keys);
      const old = req[key];
      const kind = rng.next();
      if (kind < 0.45) {
        const [what, v] = pick(rng, NEVER_VALID);
        push(`${key} = ${what}`, { ...req, [key]: v }, 'invalid');
      } else if (kind < 0.75) {
        const [what, v] = wrongKind(rng, old);
        const free = freeConfig && key === 'config' && v !== null && typeof v === 'object' && !Array.isArray(v);
        push(`${key} = ${what}`, { ...req, [key]: v }, free ? 'any' : 'invalid');
      } else if (typeof old === 'number') {
        push(`${key} = edge number`, { ...req, [key]: pick(rng, EDGE_NUMBERS) }, 'any');
      } else if (old && typeof old === 'object' && !Array.isArray(old)) {
        push(`${key} = a 1000-deep object`, { ...req, [key]: DEEP }, freeConfig ? 'any' : 'invalid');
      } else {
        const copy = { ...req };
        delete copy[key];
        push(`${key} missing`, copy, 'invalid');
      }
    } else if (r < 0.78 && keys.some((k) => PATH_FIELDS.has(k))) {
      const key = pick(rng, keys.filter((k) => PATH_FIELDS.has(k)));
      let hp = pick(rng, paths);
      // Opening an existing folder is legitimate (it records the folder): aim folders:open at files and missing paths.
      while (channel === 'folders:open' && hp.isDir) hp = pick(rng, paths);
      const expect: Expectation = hp.tooLong ? 'invalid' : channel === 'fs:listDir' || hp.inside ? 'any' : 'refused';
      push(`${key} = hostile path ${JSON.stringify(hp.path.slice(0, 60))}`, { ...req, [key]: hp.path }, expect);
    } else if (r < 0.95) {
      const target = keys.find((k) => req[k] && typeof req[k] === 'object' && !Array.isArray(req[k]));
      if (!target) continue;
      const inner = { ...(req[target] as Record<string, unknown>) };
      const innerKeys = Object.keys(inner);
      const free = freeConfig && target === 'config';
      if (innerKeys.length === 0 || rng.next() < 0.25) {
        inner[pick(rng, ['extraKnob', 'nodeIntegration', 'globalsize', 'lr '])] = 1;
        push(`${target} with an extra key`, { ...req, [target]: inner }, free ? 'any' : 'invalid');
      } else {
        const k = pick(rng, innerKeys);
        const [what, v] = rng.next() < 0.6 ? pick(rng, NEVER_VALID) : wrongKind(rng, inner[k]);
        inner[k] = v;
        push(`${target}.${k} = ${what}`, { ...req, [target]: inner }, free ? 'any' : 'invalid');
      }
    } else {
      if (base.neverValid) continue;
      push('unchanged (valid, harmless)', req, base.expect);
    }
  }
  return out;
}

/** Cases for every channel, interleaved channel by channel. */
export function fuzzAll(s: FuzzSandbox, seed: number, perChannel: number): FuzzCase[] {
  const lists = CHANNELS.map((c) => fuzzChannel(c, s, seed, perChannel));
  const out: FuzzCase[] = [];
  for (let i = 0; i < perChannel; i++) for (const l of lists) out.push(l[i]!);
  return out;
}
