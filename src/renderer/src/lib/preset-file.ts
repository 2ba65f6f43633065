// A person's preset as a JSON file: what Export writes and what Import accepts (validated with the config schema, every problem named).
import { z } from 'zod';
import { configSchema, configShape, describeConfigError, type StudioConfig } from '../../../shared/config-schema';

export const PRESET_FORMAT = 'multicrop-preset/1';

export interface UserPreset {
  name: string;
  config: StudioConfig;
}

const fileSchema = z.strictObject({
  format: z.literal(PRESET_FORMAT),
  name: z.string().trim().min(1).max(80),
  config: z.strictObject(configShape).partial(),
});

export function presetFileText(p: UserPreset): string {
  return JSON.stringify({ format: PRESET_FORMAT, name: p.name, config: p.config }, null, 2) + '\n';
}

/** A file name for the preset: its name in safe characters. */
export function presetFileName(name: string): string {
  return `${name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'preset'}.multicrop-preset.json`;
}

/**
 * Parse an imported file. Settings it leaves out keep `base`'s values (the recipe defaults), so an older or partial
 * preset loads; unknown settings, wrong types and invalid combinations are refused with the file named.
 */
export function parsePresetFile(text: string, fileName: string, base: StudioConfig): UserPreset {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${fileName} is not JSON (${(e as Error).message}); export a preset from Multicrop Studio and import that file`);
  }
  const shape = fileSchema.safeParse(raw);
  if (!shape.success) {
    throw new Error(`${fileName} is not a Multicrop Studio preset: ${describeConfigError(shape.error).replace(/\n/g, '; ')}`);
  }
  const merged = configSchema.safeParse({ ...base, ...shape.data.config });
  if (!merged.success) throw new Error(`${fileName}: ${describeConfigError(merged.error).replace(/\n/g, '; ')}`);
  return { name: shape.data.name, config: merged.data };
}
