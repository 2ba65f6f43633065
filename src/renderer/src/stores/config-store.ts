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
  PRESETS,
  RECIPE_DEFAULTS,
  type AugmentConfig,
  type ConfigKey,
  type PresetName,
  type StudioConfig,
} from '../../../shared/config-schema';
import { AUGMENT_PRESETS } from '../lib/augment-presets';
import { configChanges, slowdownWarning, type ConfigChange } from '../lib/config-changes';
import { plain } from '../lib/plain';
import { describeIssue } from '../lib/config-messages';
import type { UserPreset } from '../lib/preset-file';

const STORAGE_KEY = 'multicrop.config';
const PRESETS_KEY = 'multicrop.presets';

/** A change waiting for the person's confirmation: what applying it would change, and a warning where it costs. */
export interface Proposal {
  title: string;
  next: StudioConfig;
  changes: ConfigChange[];
  warning: string | null;
  /** The augmentation settings would change too: the person may keep theirs (a Training preset). */
  augmentChanges: number;
}

function loadPresets(): UserPreset[] {
  try {
    const raw = JSON.parse(localStorage.getItem(PRESETS_KEY) ?? '[]') as UserPreset[];
    return raw.filter((p) => typeof p?.name === 'string' && configSchema.safeParse({ ...RECIPE_DEFAULTS, ...p.config }).success).map((p) => ({ name: p.name, config: { ...RECIPE_DEFAULTS, ...p.config } }));
  } catch {
    return [];
  }
}
const sameAugment = (a: AugmentConfig, b: AugmentConfig): boolean => JSON.stringify(a) === JSON.stringify(b);

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
  const proposal = ref<Proposal | null>(null);
  const userPresets = ref<UserPreset[]>(loadPresets());
  /** The augmentation preset applied last (an overlay), to name the state while its values are untouched. */
  const lastAugment = ref<{ name: string; values: AugmentConfig } | null>(null);

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
  /** What the augmentation settings are, by name: a known set of values, the last applied preset untouched, else 'custom'. */
  const augmentLabel = computed(() => {
    const now = augment();
    const known: [string, AugmentConfig][] = [
      ['DINO recipe', augmentPart(RECIPE_DEFAULTS)],
      ...(Object.keys(PRESETS) as PresetName[]).map((n): [string, AugmentConfig] => [`${n} (Training preset)`, augmentPart(presetConfig(n))]),
      ...userPresets.value.map((p): [string, AugmentConfig] => [`${p.name} (my preset)`, augmentPart(p.config)]),
    ];
    if (lastAugment.value && sameAugment(lastAugment.value.values, now)) return lastAugment.value.name;
    return known.find(([, v]) => sameAugment(v, now))?.[0] ?? 'custom';
  });

  /** Show what `next` would change; nothing changes until the person accepts. */
  function propose(title: string, next: StudioConfig, offerKeepAugment = false): void {
    const now = snapshot();
    const changes = configChanges(now, next);
    const augmentChanges = offerKeepAugment ? changes.filter((c) => c.key in augmentShape).length : 0;
    proposal.value = { title, next: plain(next), changes, warning: slowdownWarning(now, next), augmentChanges };
  }
  /** Apply the proposal (optionally keeping the current augmentation settings). */
  function accept(keepAugment = false): void {
    const p = proposal.value;
    if (!p) return;
    const next = keepAugment ? { ...plain(p.next), ...augment() } : plain(p.next);
    config.value = next;
    const named = (Object.keys(PRESETS) as PresetName[]).find((n) => JSON.stringify(presetConfig(n)) === JSON.stringify(next));
    preset.value = named ?? 'custom';
    proposal.value = null;
  }
  function dismiss(): void {
    proposal.value = null;
  }

  function applyPreset(name: PresetName): void {
    propose(`Training preset ${name}`, presetConfig(name), true);
  }
  function applyAugmentPreset(name: string): void {
    const p = AUGMENT_PRESETS[name];
    if (!p) return;
    const next = { ...snapshot(), ...plain(p) };
    lastAugment.value = { name, values: augmentPart(next) };
    propose(`Augmentation preset ${name}`, next);
  }
  function resetAugment(): void {
    propose('Reset the augmentation to the recipe defaults', { ...snapshot(), ...augmentPart(RECIPE_DEFAULTS) });
  }
  function replace(c: StudioConfig): void {
    config.value = plain(c);
  }

  function savePresets(): void {
    localStorage.setItem(PRESETS_KEY, JSON.stringify(plain(userPresets.value)));
  }
  /** Save the current settings under a name (replacing a preset of that name). */
  function savePreset(name: string): UserPreset {
    const p = { name: name.trim(), config: snapshot() };
    userPresets.value = [...userPresets.value.filter((x) => x.name !== p.name), p];
    savePresets();
    return p;
  }
  function addPreset(p: UserPreset): void {
    userPresets.value = [...userPresets.value.filter((x) => x.name !== p.name), { name: p.name, config: plain(p.config) }];
    savePresets();
  }
  function deletePreset(name: string): void {
    userPresets.value = userPresets.value.filter((x) => x.name !== name);
    savePresets();
  }
  function loadPreset(name: string): void {
    const p = userPresets.value.find((x) => x.name === name);
    if (p) propose(`My preset ${p.name}`, { ...RECIPE_DEFAULTS, ...p.config });
  }

  return {
    config,
    preset,
    proposal,
    userPresets,
    augmentLabel,
    errors,
    valid,
    augmentValid,
    snapshot,
    augment,
    set,
    propose,
    accept,
    dismiss,
    applyPreset,
    applyAugmentPreset,
    resetAugment,
    replace,
    savePreset,
    addPreset,
    deletePreset,
    loadPreset,
  };
});

export const AUGMENT_KEYS = Object.keys(augmentShape) as (keyof AugmentConfig)[];
export { AUGMENT_PRESETS };
