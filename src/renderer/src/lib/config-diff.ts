// The settings that differ between two or more run configs, as rows of (setting, value per run), in the schema's order.
import { CONFIG_META, type ConfigKey, type StudioConfig } from '../../../shared/config-schema';

export interface DiffRow {
  key: ConfigKey;
  label: string;
  values: string[];
}

function show(v: unknown): string {
  if (v === undefined) return '(not set)';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'number' ? Number(x.toPrecision(6)) : x)).join(', ');
  return typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v);
}

/** Rows for every key whose value is not the same in all configs; `same` counts the rest. */
export function configDiff(configs: StudioConfig[]): { rows: DiffRow[]; same: number } {
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))] as ConfigKey[];
  const order = Object.keys(CONFIG_META);
  keys.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const rows: DiffRow[] = [];
  let same = 0;
  for (const key of keys) {
    const values = configs.map((c) => show(c[key]));
    if (values.every((v) => v === values[0])) same++;
    else rows.push({ key, label: CONFIG_META[key]?.label ?? key, values });
  }
  return { rows, same };
}
