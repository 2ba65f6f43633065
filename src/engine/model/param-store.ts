// Moves named parameters between host tensors (PyTorch layout, checkpoints, safetensors) and tfjs tensors (internal layout).
import * as tf from '../tf/tfjs';
import type { NamedTensors } from '../train/step-types';
import { fromHost, toHost, type ParamSpec } from './param-spec';
import type { Params } from './vit';

/**
 * Strict load: every spec must be present with its PyTorch shape and no other key may appear
 * (keys outside `allowPrefix` filters are ignored only when `ignoreUnexpected` is set).
 */
export function checkKeys(specs: ParamSpec[], host: NamedTensors, source: string, ignoreUnexpected = false): void {
  const missing = specs.filter((s) => !(s.name in host)).map((s) => s.name);
  if (missing.length) {
    throw new Error(`${source} lacks ${missing.length} expected tensor(s): ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', ...' : ''}`);
  }
  if (!ignoreUnexpected) {
    const known = new Set(specs.map((s) => s.name));
    const extra = Object.keys(host).filter((k) => !known.has(k));
    if (extra.length) {
      throw new Error(`${source} has ${extra.length} unexpected tensor(s): ${extra.slice(0, 8).join(', ')}${extra.length > 8 ? ', ...' : ''}`);
    }
  }
}

/** Host tensors -> tfjs tensors (variables when `asVariables`), in internal layout. */
export function paramsFromHost(specs: ParamSpec[], host: NamedTensors, asVariables: boolean, source = 'weights'): Params {
  checkKeys(specs, host, source, true);
  const out: Params = new Map();
  for (const s of specs) {
    let data: Float32Array;
    try {
      data = fromHost(s, host[s.name]!);
    } catch (e) {
      throw new Error(`${source}: ${(e as Error).message}`);
    }
    const t = tf.tensor(data, s.internalShape, 'float32');
    out.set(s.name, asVariables ? tf.variable(t, s.trainable, undefined, 'float32') : t);
    if (asVariables) t.dispose();
  }
  return out;
}

/** tfjs tensors (internal layout) -> host tensors in PyTorch shapes. */
export function paramsToHost(specs: ParamSpec[], params: Params): NamedTensors {
  const out: NamedTensors = {};
  for (const s of specs) {
    const t = params.get(s.name);
    if (!t) throw new Error(`missing parameter ${s.name}`);
    out[s.name] = toHost(s, t.dataSync() as Float32Array);
  }
  return out;
}

/** paramsToHost with asynchronous readback (a GPU backend under Node has no synchronous one). */
export async function readParamsToHost(specs: ParamSpec[], params: Params): Promise<NamedTensors> {
  const out: NamedTensors = {};
  for (const s of specs) {
    const t = params.get(s.name);
    if (!t) throw new Error(`missing parameter ${s.name}`);
    out[s.name] = toHost(s, (await t.data()) as Float32Array);
  }
  return out;
}

/** Overwrite existing variables from host tensors (same specs). */
export function assignFromHost(specs: ParamSpec[], params: Params, host: NamedTensors, source = 'state'): void {
  checkKeys(specs, host, source, true);
  for (const s of specs) {
    const v = params.get(s.name) as tf.Variable | undefined;
    if (!v) throw new Error(`missing parameter ${s.name}`);
    let data: Float32Array;
    try {
      data = fromHost(s, host[s.name]!);
    } catch (e) {
      throw new Error(`${source}: ${(e as Error).message}`);
    }
    tf.tidy(() => v.assign(tf.tensor(data, s.internalShape, 'float32')));
  }
}

export function disposeParams(p: Params): void {
  for (const t of p.values()) t.dispose();
  p.clear();
}
