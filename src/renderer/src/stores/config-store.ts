// The one flat config the person edits (augmentation + training), validated locally with the shared schema and kept across reloads.
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import {
  augmentConfigSchema,
  augmentPart,
  augmentShape,
  configSchema,
  DEFAULT_PRESET,
  presetConfig,
  RECIPE_DEFAULTS,
  type AugmentConfig,
  type ConfigKey,
  type PresetName,
  type StudioConfig,
} from '../../../shared/config-schema';
import { AUGMENT_PRESETS } from '../lib/augment-presets';
import { plain } from '../lib/plain';
import { describeIssue } from '../lib/config-messages';

const STORAGE_KEY = 'multicrop.config';

function loadSaved(): StudioConfig {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (raw) {
      const r = configSchema.safeParse({ ...RECIPE_DEFAULTS, ...JSON.parse(raw) });
      if (r.success) return r.data;
    }
  } catch {
    // A corrupt saved config falls back to the default preset.
  }
  return presetConfig(DEFAULT_PRESET);
}

export const useConfigStore = defineStore('config', () => {
  const config = ref<StudioConfig>(loadSaved());
  const preset = ref<PresetName | 'custom'>('custom');

  const parsed = computed(() => configSchema.safeParse(plain(config.value)));
  /** Problems per key (or '' for whole-config problems), as a person reads them. */
  const errors = computed<Partial<Record<ConfigKey | '', string>>>(() => {
    const out: Partial<Record<ConfigKey | '', string>> = {};
    if (parsed.value.success) return out;
    for (const issue of parsed.value.error.issues) {
      const key = (issue.path[0] as ConfigKey | undefined) ?? '';
      const text = describeIssue(key, issue, key ? (config.value as Record<string, unknown>)[key] : undefined);
      out[key] = out[key] ? `${out[key]}; ${text}` : text;
    }
    return out;
  });
  const valid = computed(() => parsed.value.success);
  /** The augmentation keys are valid on their own and together (a local crop larger than the global crop is not). */
  const augmentValid = computed(() => augmentConfigSchema.safeParse(augment()).success && !AUGMENT_KEYS.some((k) => errors.value[k]));

  watch(
    config,
    (c) => {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(plain(c)));
    },
    { deep: true },
  );

  /** A plain copy of the whole config. */
  function snapshot(): StudioConfig {
    return plain(config.value);
  }
  /** A plain copy of the augmentation keys. */
  function augment(): AugmentConfig {
    return augmentPart(plain(config.value));
  }
  function set<K extends ConfigKey>(key: K, value: StudioConfig[K]): void {
    (config.value as Record<ConfigKey, unknown>)[key] = plain(value);
    preset.value = 'custom';
  }
  function applyPreset(name: PresetName): void {
    config.value = presetConfig(name);
    preset.value = name;
  }
  function applyAugmentPreset(name: string): void {
    const p = AUGMENT_PRESETS[name];
    if (p) config.value = { ...plain(config.value), ...plain(p) };
  }
  function resetAugment(): void {
    config.value = { ...plain(config.value), ...augmentPart(RECIPE_DEFAULTS) };
  }
  function replace(c: StudioConfig): void {
    config.value = plain(c);
  }

  return { config, preset, errors, valid, augmentValid, snapshot, augment, set, applyPreset, applyAugmentPreset, resetAugment, replace };
});

export const AUGMENT_KEYS = Object.keys(augmentShape) as (keyof AugmentConfig)[];
export { AUGMENT_PRESETS };
