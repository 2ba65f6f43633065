// What applying a preset would change (setting, now, after), and how much heavier its views are on a CPU: shown before anything changes.
import { CONFIG_META, type ConfigKey, type StudioConfig } from '../../../shared/config-schema';

export interface ConfigChange {
  key: ConfigKey;
  label: string;
  from: string;
  to: string;
}

function show(v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'number' ? String(Number(x.toPrecision(6))) : String(x))).join(', ');
  return typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v);
}

/** Every key whose value differs between `now` and `next`, in the schema's order. */
export function configChanges(now: StudioConfig, next: StudioConfig): ConfigChange[] {
  const out: ConfigChange[] = [];
  for (const key of Object.keys(CONFIG_META) as ConfigKey[]) {
    if (JSON.stringify(now[key]) === JSON.stringify(next[key])) continue;
    out.push({ key, label: CONFIG_META[key].label, from: show(now[key]), to: show(next[key]) });
  }
  return out;
}

/** Pixels the model sees per image: two globals and the locals (the step time on a CPU grows with it). */
export function viewPixels(c: Pick<StudioConfig, 'globalSize' | 'localSize' | 'localCrops'>): number {
  return 2 * c.globalSize ** 2 + c.localCrops * c.localSize ** 2;
}

/** A warning when `next` makes each step much heavier than `now` (e.g. the recipe's 224/96 x8 after cpu-small's 64/32 x2). */
export function slowdownWarning(now: StudioConfig, next: StudioConfig): string | null {
  const ratio = viewPixels(next) / viewPixels(now);
  if (ratio < 2) return null;
  return (
    `Each image becomes ${next.globalSize}/${next.localSize} px with ${next.localCrops} local crops: ${Math.round(ratio)}x the pixels of the current ` +
    `${now.globalSize}/${now.localSize} px x${now.localCrops}, so a training step is very roughly ${Math.round(ratio)}x slower on a CPU ` +
    '(the recipe sizes are meant for a GPU).'
  );
}
