// `--help` of each command lists only the settings it uses, and a setting flag it does not use is refused (never silently ignored).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliUsageError, formatHelp, parseArgs } from '../../src/cli/cli-args';
import { COMMANDS } from '../../src/cli/commands';
import { PREVIEW_SETTINGS } from '../../src/cli/command-settings';
import { configShape, flagName, RECIPE_DEFAULTS } from '../../src/shared/config-schema';

const command = (name: string) => COMMANDS.find((c) => c.name === name)!;
const helpOf = (name: string) => formatHelp(name, command(name).summary, command(name).spec);

describe('per-command settings', () => {
  it('preview lists the augmentation settings, the seed and the pixel guard, and no model or optimiser setting', () => {
    const help = helpOf('preview');
    for (const flag of ['--global-size', '--local-crops', '--brightness', '--seed', '--max-pixels', '--global2-solarize-prob']) expect(help).toContain(`  ${flag} `);
    for (const flag of ['--depth', '--lr', '--batch-size', '--teacher-temp', '--epochs', '--workers', '--checkpoint-every']) expect(help).not.toContain(`  ${flag} `);
    expect(help).toContain('settings this command does not use are ignored');
  });

  it('bench-train lists the model and schedule but no colour augmentation', () => {
    const help = helpOf('bench-train');
    for (const flag of ['--depth', '--lr', '--out-dim', '--local-crops', '--backend']) expect(help).toContain(`  ${flag} `);
    for (const flag of ['--brightness', '--hue', '--flip-prob', '--max-pixels']) expect(help).not.toContain(`  ${flag} `);
  });

  it('train still takes every setting', () => {
    const help = helpOf('train');
    for (const key of Object.keys(configShape)) expect(help).toContain(`  ${flagName(key)}`);
    expect(help).not.toContain('does not use');
  });

  it('commands without settings list none', () => {
    for (const name of ['scan', 'knn', 'export', 'serve']) expect(helpOf(name)).not.toContain('Settings:');
  });

  it('refuses a setting flag the command does not use, naming it', () => {
    expect(() => parseArgs(['img.png', '--depth', '4'], command('preview').spec)).toThrow(CliUsageError);
    expect(() => parseArgs(['img.png', '--depth', '4'], command('preview').spec)).toThrow(/--depth \(depth\) is a setting this command does not use/);
    expect(parseArgs(['img.png', '--local-crops', '4'], command('preview').spec).config.localCrops).toBe(4);
  });

  it('a --config file may hold every setting (a run\'s config.json): the used ones apply', () => {
    const dir = mkdtempSync(join(tmpdir(), 'multicrop-settings-'));
    try {
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({ ...RECIPE_DEFAULTS, depth: 3, localCrops: 5 }));
      const a = parseArgs(['img.png', '--config', file], command('preview').spec);
      expect(a.config.localCrops).toBe(5);
      expect(PREVIEW_SETTINGS).toContain('localCrops');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
