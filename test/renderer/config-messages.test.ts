// Every settings problem the UI shows is in a person's words: the field's label and the typed value, never an internal key name or zod's wording.
import { describe, expect, it } from 'vitest';
import { configSchema, configShape, RECIPE_DEFAULTS, type ConfigKey, type StudioConfig } from '../../src/shared/config-schema';
import { describeIssue } from '../../src/renderer/src/lib/config-messages';

const KEYS = Object.keys(configShape) as ConfigKey[];
/** Internal names: camelCase keys (a one-word key like "lr" or "seed" is also the word a person uses). */
const INTERNAL = KEYS.filter((k) => /[A-Z]/.test(k));

function messages(over: Partial<Record<ConfigKey, unknown>>): string[] {
  const c = { ...RECIPE_DEFAULTS, ...over };
  const r = configSchema.safeParse(c);
  if (r.success) return [];
  return r.error.issues.map((i) => {
    const key = (i.path[0] as ConfigKey | undefined) ?? '';
    return describeIssue(key, i, key ? (c as Record<string, unknown>)[key] : undefined);
  });
}

describe('settings messages', () => {
  it('local larger than global: "local crop size (128 px) is larger than the global crop size (64 px)"', () => {
    const m = messages({ globalSize: 64, localSize: 128 });
    expect(m.join('\n')).toContain('Local crop size (128 px) is larger than the global crop size (64 px)');
  });

  it('out-of-range, fractional, wrong-kind and cross-field values of every key are named without internal names or zod wording', () => {
    const cases: Partial<Record<ConfigKey, unknown>>[] = [{ globalSize: 100 }, { minLr: 1, lr: 0.1 }, { warmupEpochs: 50, epochs: 10 }];
    for (const k of KEYS) {
      const d = RECIPE_DEFAULTS[k as keyof StudioConfig];
      if (typeof d === 'number') cases.push({ [k]: -5 }, { [k]: 1e12 }, { [k]: 0.5 + Math.floor(d) }, { [k]: 'abc' });
      else if (typeof d === 'boolean') cases.push({ [k]: 'yes' });
      else if (typeof d === 'string') cases.push({ [k]: 'nonsense' });
      else if (Array.isArray(d)) cases.push({ [k]: [d[1], d[0]] });
    }
    let seen = 0;
    for (const c of cases) {
      for (const m of messages(c)) {
        seen++;
        for (const name of INTERNAL) expect(m, `${JSON.stringify(c)} -> ${m}`).not.toMatch(new RegExp(`\\b${name}\\b`));
        expect(m, JSON.stringify(c)).not.toMatch(/Too (small|big)|expected (number|int|string|boolean)|Invalid input/);
        expect(m.length).toBeGreaterThan(10);
      }
    }
    expect(seen).toBeGreaterThan(KEYS.length);
  });

  it('a seed beyond 2^31 or negative names the limits and the typed value', () => {
    expect(messages({ seed: 2 ** 32 })).toEqual([`Seed must be at most ${2 ** 31 - 1} (you typed ${2 ** 32})`]);
    expect(messages({ seed: -1 })).toEqual(['Seed must be at least 0 (you typed -1)']);
  });
});
