// The CLI's shared argument parser: every config key as a --kebab-case flag, --config FILE, --preset NAME, --json, --help.
import { readFileSync } from 'node:fs';
import {
  CONFIG_META,
  DEFAULT_PRESET,
  PRESETS,
  RECIPE_DEFAULTS,
  configSchema,
  configShape,
  flagName,
  presetConfig,
  type ConfigGroup,
  type ConfigKey,
  type PresetName,
  type StudioConfig,
} from '../shared/config-schema';

/** A command-specific option (besides the config flags). */
export interface OptionSpec {
  /** camelCase name; the flag is flagName(name), e.g. port -> --port. */
  name: string;
  type: 'string' | 'number' | 'boolean';
  help: string;
  /** Placeholder in help, e.g. N or DIR. */
  value?: string;
  default?: string | number | boolean;
}

export interface ArgSpec {
  /** Positional arguments, for help: e.g. ['DATASET_DIR']. */
  positionals?: string[];
  options?: OptionSpec[];
  /**
   * Whether the config flags (and --config/--preset) apply to this command: true for every setting, or the
   * settings it uses (only those are accepted as flags and listed in --help; a --config file may hold others).
   */
  config?: boolean | readonly ConfigKey[];
}

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | number | boolean | undefined>;
  /** Preset < --config file < flags, validated with configSchema. */
  config: StudioConfig;
  /** Config keys given explicitly (file or flags). */
  explicit: Set<ConfigKey>;
  preset: PresetName;
  json: boolean;
  help: boolean;
}

/** A mistake in the command line, reported as "multicrop CMD: message" with exit code 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

const CONFIG_KEYS = Object.keys(configShape) as ConfigKey[];
/** Short spellings the issue tracker and DINO users expect (`--batch 16 --locals 8 --patch 16`), beside the full flags. */
const CONFIG_FLAG_ALIASES: Record<string, ConfigKey> = { '--batch': 'batchSize', '--locals': 'localCrops', '--patch': 'patchSize' };
const FLAG_TO_KEY = new Map<string, ConfigKey>([...CONFIG_KEYS.map((k) => [flagName(k), k] as [string, ConfigKey]), ...Object.entries(CONFIG_FLAG_ALIASES)]);

type ValueKind = 'number' | 'tuple' | 'boolean' | 'string';
function kindOf(key: ConfigKey): ValueKind {
  const d = RECIPE_DEFAULTS[key];
  if (Array.isArray(d)) return 'tuple';
  if (typeof d === 'number') return 'number';
  if (typeof d === 'boolean') return 'boolean';
  return 'string';
}

function parseNumber(flag: string, text: string): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n)) throw new CliUsageError(`${flag} expects a number, got "${text}"`);
  return n;
}

function parseConfigValue(key: ConfigKey, text: string): unknown {
  const flag = flagName(key);
  switch (kindOf(key)) {
    case 'number':
      return parseNumber(flag, text);
    case 'tuple': {
      const parts = text.split(',');
      const want = (RECIPE_DEFAULTS[key] as readonly number[]).length;
      if (parts.length !== want) throw new CliUsageError(`${flag} expects ${want} comma-separated numbers (e.g. ${(RECIPE_DEFAULTS[key] as number[]).join(',')}), got "${text}"`);
      return parts.map((p) => parseNumber(flag, p));
    }
    case 'boolean':
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw new CliUsageError(`${flag} is a switch: use ${flag} or --no-${flag.slice(2)}`);
    default:
      return text;
  }
}

function parseOptionValue(spec: OptionSpec, text: string): string | number | boolean {
  const flag = flagName(spec.name);
  if (spec.type === 'number') return parseNumber(flag, text);
  if (spec.type === 'boolean') {
    if (text === 'true') return true;
    if (text === 'false') return false;
    throw new CliUsageError(`${flag} is a switch: use ${flag} or --no-${flag.slice(2)}`);
  }
  return text;
}

function loadConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliUsageError(`--config: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CliUsageError(`--config: ${file} is not valid JSON (${(e as Error).message})`);
  }
  // A run's saved config.json may wrap the config: accept {config: {...}} too.
  if (parsed && typeof parsed === 'object' && 'config' in parsed && typeof (parsed as { config: unknown }).config === 'object') parsed = (parsed as { config: unknown }).config;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CliUsageError(`--config: ${file} must hold a JSON object of settings`);
  for (const k of Object.keys(parsed)) {
    if (!FLAG_TO_KEY.has(flagName(k)) || !CONFIG_KEYS.includes(k as ConfigKey)) throw new CliUsageError(`--config: ${file} has an unknown setting "${k}"`);
  }
  return parsed as Record<string, unknown>;
}

/** Parse argv (after the command name) against the command's spec. */
export function parseArgs(argv: readonly string[], spec: ArgSpec = {}): ParsedArgs {
  const useConfig = Boolean(spec.config);
  const usedKeys = configKeysOf(spec);
  const optionSpecs = new Map((spec.options ?? []).map((o) => [flagName(o.name), o]));
  const options: ParsedArgs['options'] = {};
  for (const o of spec.options ?? []) options[o.name] = o.default;
  const positionals: string[] = [];
  const flagValues: Partial<Record<ConfigKey, unknown>> = {};
  let configFile: string | null = null;
  let preset: PresetName = DEFAULT_PRESET;
  let json = false;
  let help = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      if (arg === '-h') help = true;
      else positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && !/^--?\d/.test(next))) throw new CliUsageError(`${flag} needs a value`);
      i++;
      return next;
    };
    if (flag === '--help') {
      help = true;
      continue;
    }
    if (flag === '--json') {
      json = true;
      continue;
    }
    const negated = flag.startsWith('--no-') ? `--${flag.slice(5)}` : null;
    const opt = optionSpecs.get(flag) ?? (negated ? optionSpecs.get(negated) : undefined);
    if (opt) {
      if (opt.type === 'boolean') options[opt.name] = inline !== undefined ? parseOptionValue(opt, inline) : negated === null || optionSpecs.has(flag);
      else options[opt.name] = parseOptionValue(opt, takeValue());
      continue;
    }
    if (useConfig) {
      if (flag === '--config') {
        configFile = takeValue();
        continue;
      }
      if (flag === '--preset') {
        const name = takeValue();
        if (!(name in PRESETS)) throw new CliUsageError(`--preset: unknown preset "${name}"; choose one of ${Object.keys(PRESETS).join(', ')}`);
        preset = name as PresetName;
        continue;
      }
      const key = FLAG_TO_KEY.get(flag) ?? (negated ? FLAG_TO_KEY.get(negated) : undefined);
      if (key && !usedKeys.includes(key)) {
        throw new CliUsageError(`${flag} (${CONFIG_META[key].label.toLowerCase()}) is a setting this command does not use; see --help for the ones it takes`);
      }
      if (key) {
        if (kindOf(key) === 'boolean') flagValues[key] = inline !== undefined ? parseConfigValue(key, inline) : negated === null || FLAG_TO_KEY.has(flag);
        else flagValues[key] = parseConfigValue(key, takeValue());
        continue;
      }
    }
    throw new CliUsageError(`unknown option ${flag}; see --help`);
  }

  const fileValues = useConfig && configFile ? loadConfigFile(configFile) : {};
  const merged = { ...presetConfig(preset), ...fileValues, ...flagValues };
  const explicit = new Set([...Object.keys(fileValues), ...Object.keys(flagValues)] as ConfigKey[]);
  let config = presetConfig(preset);
  if (useConfig) {
    const r = configSchema.safeParse(merged);
    if (!r.success) {
      const lines = r.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '');
        const where = CONFIG_KEYS.includes(key as ConfigKey) ? flagName(key) : key || '(config)';
        const from = key in flagValues ? '' : key in fileValues ? ` (from ${configFile})` : '';
        return `${where}${from}: ${issue.message}`;
      });
      throw new CliUsageError(`invalid settings:\n  ${lines.join('\n  ')}`);
    }
    config = r.data;
  }
  return { positionals, options, config, explicit, preset, json, help };
}

const GROUP_ORDER: ConfigGroup[] = ['model', 'optimisation', 'schedule', 'run', 'all views', 'global 1', 'global 2', 'local'];

function showValue(v: unknown): string {
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** The settings a command takes as flags: all of them for `config: true`, none without config. */
export function configKeysOf(spec: ArgSpec): readonly ConfigKey[] {
  if (Array.isArray(spec.config)) return spec.config;
  return spec.config ? CONFIG_KEYS : [];
}

/** Help text of a command: usage, its options, then the config flags it uses, grouped as in the UI. */
export function formatHelp(command: string, summary: string, spec: ArgSpec = {}): string {
  const lines: string[] = [];
  const pos = (spec.positionals ?? []).join(' ');
  lines.push(`Usage: multicrop ${command}${pos ? ' ' + pos : ''} [options]`, '', summary, '', 'Options:');
  const row = (flag: string, help: string) => lines.push(`  ${flag.padEnd(34)} ${help}`);
  for (const o of spec.options ?? []) {
    const flag = o.type === 'boolean' ? flagName(o.name) : `${flagName(o.name)} ${o.value ?? o.type.toUpperCase()}`;
    row(flag, o.help + (o.default !== undefined && o.default !== false ? ` (default ${o.default})` : ''));
  }
  row('--json', 'Machine-readable JSON output');
  row('--help', 'Show this help');
  if (spec.config) {
    const used = configKeysOf(spec);
    const partial = used.length < CONFIG_KEYS.length;
    row('--config FILE', `JSON file of settings (a run's config.json works${partial ? '; settings this command does not use are ignored' : ''})`);
    row('--preset NAME', `Starting settings: ${Object.keys(PRESETS).join(', ')} (default ${DEFAULT_PRESET}); then file, then flags`);
    const defaults = presetConfig(DEFAULT_PRESET);
    for (const group of GROUP_ORDER) {
      const keys = CONFIG_KEYS.filter((k) => CONFIG_META[k].group === group && used.includes(k));
      if (!keys.length) continue;
      lines.push('', `Settings: ${group}`);
      for (const k of keys) {
        const kind = kindOf(k);
        const flag = kind === 'boolean' ? `${flagName(k)} / --no-${flagName(k).slice(2)}` : `${flagName(k)} ${kind === 'tuple' ? 'A,B' + ((RECIPE_DEFAULTS[k] as number[]).length === 3 ? ',C' : '') : kind === 'number' ? 'N' : 'X'}`;
        row(flag, `${CONFIG_META[k].help} (default ${showValue(defaults[k])})`);
      }
    }
  }
  return lines.join('\n');
}
