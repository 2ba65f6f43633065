// The UI's config controls against the shared schema: every key gets a control fit for its type and bounds, and every augmentation preset is a valid config.
import { describe, expect, it } from 'vitest';
import { augmentConfigSchema, augmentPart, CONFIG_META, configShape, RECIPE_DEFAULTS, type ConfigKey } from '../../src/shared/config-schema';
import { CHOICES, fieldKind, sliderMax } from '../../src/renderer/src/lib/field-kinds';
import { AUGMENT_PRESETS } from '../../src/renderer/src/lib/augment-presets';
import { plain } from '../../src/renderer/src/lib/plain';
import { reactive } from 'vue';

const KEYS = Object.keys(configShape) as ConfigKey[];

describe('config controls', () => {
  it('every key has a label and a control matching its default value type', () => {
    for (const k of KEYS) {
      expect(CONFIG_META[k].label.length, k).toBeGreaterThan(0);
      const d = RECIPE_DEFAULTS[k];
      const kind = fieldKind(k);
      if (Array.isArray(d)) expect(kind, k).toBe(d.length === 2 ? 'range' : 'triple');
      else if (typeof d === 'boolean') expect(kind, k).toBe('switch');
      else if (typeof d === 'string') expect(kind, k).toBe('choice');
      else expect(['int', 'number', 'slider', 'choice'], k).toContain(kind);
    }
  });

  it('integer controls only offer values the schema accepts as integers, and decimal ones accept fractions', () => {
    for (const k of KEYS) {
      const kind = fieldKind(k);
      const d = RECIPE_DEFAULTS[k];
      if (typeof d !== 'number' || kind === 'choice') continue;
      const schema = configShape[k];
      expect(schema.safeParse(d).success, k).toBe(true);
      // a fractional value below the default: rejected by integer keys, accepted by decimal ones (within bounds)
      const frac = d / 2 + 1e-3;
      if (kind === 'int') expect(schema.safeParse(d + 0.5).success, k).toBe(false);
      else expect(schema.safeParse(frac).success, `${k}=${frac}`).toBe(true);
    }
  });

  it('slider bounds lie inside the schema (both ends accepted)', () => {
    for (const k of KEYS.filter((x) => fieldKind(x) === 'slider')) {
      expect(configShape[k].safeParse(0).success, k).toBe(true);
      expect(configShape[k].safeParse(sliderMax(k)).success, k).toBe(true);
      expect(configShape[k].safeParse(sliderMax(k) + 0.01).success, k).toBe(false);
    }
  });

  it('every choice offered is accepted by the schema', () => {
    for (const [k, values] of Object.entries(CHOICES) as [ConfigKey, readonly (string | number)[]][]) {
      for (const v of values) expect(configShape[k].safeParse(v).success, `${k}=${v}`).toBe(true);
    }
  });

  it('every augmentation preset overlaid on the recipe is a valid augmentation config', () => {
    for (const [name, p] of Object.entries(AUGMENT_PRESETS)) {
      const r = augmentConfigSchema.safeParse({ ...augmentPart(RECIPE_DEFAULTS), ...p });
      expect(r.success, name).toBe(true);
    }
  });
});

describe('plain copies', () => {
  it('copy reactive state into plain objects that structuredClone accepts and that share nothing', () => {
    const state = reactive({ config: { ...RECIPE_DEFAULTS }, nested: { list: [[1, 2], [3, 4]] } });
    expect(() => structuredClone(state)).toThrow(); // a Vue proxy cannot cross IPC
    const copy = plain(state);
    expect(() => structuredClone(copy)).not.toThrow();
    expect(copy).toEqual({ config: RECIPE_DEFAULTS, nested: { list: [[1, 2], [3, 4]] } });
    copy.nested.list[0]![0] = 99;
    expect(state.nested.list[0]![0]).toBe(1);
  });
});
