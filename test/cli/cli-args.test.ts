// The CLI parser: every config key is a --kebab-case flag, tuples and switches parse, and errors name the flag.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { CliUsageError, formatHelp, parseArgs } from '../../src/cli/cli-args';
import { configShape, flagName, presetConfig, RECIPE_DEFAULTS } from '../../src/shared/config-schema';
import { REPO_ROOT } from '../support/shared-fixtures';

const spec = { config: true, positionals: ['DATASET'], options: [{ name: 'port', type: 'number' as const, help: 'port', default: 0 }, { name: 'open', type: 'boolean' as const, help: 'open' }] };
const dir = mkdtempSync(join(tmpdir(), 'cli-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function usageError(argv: string[]): string {
  try {
    parseArgs(argv, spec);
  } catch (e) {
    expect(e).toBeInstanceOf(CliUsageError);
    return (e as Error).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('parseArgs', () => {
  it('starts from the default preset and applies flags of every kind', () => {
    const a = parseArgs(['/data', '--batch-size', '16', '--global-scale', '0.3,0.9', '--no-norm-last-layer', '--arch=vit_base', '--lr', '1e-4', '--json', '--port', '8080', '--open'], spec);
    expect(a.positionals).toEqual(['/data']);
    expect(a.config.batchSize).toBe(16);
    expect(a.config.globalScale).toEqual([0.3, 0.9]);
    expect(a.config.normLastLayer).toBe(false);
    expect(a.config.arch).toBe('vit_base');
    expect(a.config.lr).toBe(1e-4);
    expect(a.config.depth).toBe(presetConfig('cpu-small').depth);
    expect(a.json).toBe(true);
    expect(a.options).toEqual({ port: 8080, open: true });
    expect([...a.explicit].sort()).toEqual(['arch', 'batchSize', 'globalScale', 'lr', 'normLastLayer']);
  });
  it('knows a flag for every config key (all appear in --help)', () => {
    const help = formatHelp('train', 'Train.', spec);
    for (const key of Object.keys(configShape)) {
      expect(help, key).toContain(flagName(key));
      // and each flag parses with its recipe default as value (on the paper preset, where every recipe value is consistent)
      const v = RECIPE_DEFAULTS[key as keyof typeof RECIPE_DEFAULTS];
      const value = typeof v === 'boolean' ? [v ? flagName(key) : `--no-${flagName(key).slice(2)}`] : [flagName(key), Array.isArray(v) ? v.join(',') : String(v)];
      const argv = ['--preset', 'dino-paper', ...value];
      expect(parseArgs(argv, spec).config[key as keyof typeof RECIPE_DEFAULTS], key).toEqual(v);
    }
  });
  it('--preset dino-paper, then --config FILE, then flags', () => {
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ batchSize: 8, epochs: 3, warmupEpochs: 1 }));
    const a = parseArgs(['--preset', 'dino-paper', '--config', file, '--epochs', '5'], spec);
    expect(a.config.arch).toBe('vit_small');
    expect(a.config.batchSize).toBe(8);
    expect(a.config.epochs).toBe(5);
  });
  it('takes the short spellings --batch, --locals and --patch for their config keys', () => {
    const a = parseArgs(['--batch', '16', '--locals', '8', '--patch', '8', '--global-size', '224', '--local-size', '96'], { config: true });
    expect(a.config).toMatchObject({ batchSize: 16, localCrops: 8, patchSize: 8 });
    expect([...a.explicit].sort()).toEqual(['batchSize', 'globalSize', 'localCrops', 'localSize', 'patchSize']);
  });

  it('names the flag in every error', () => {
    expect(usageError(['--batch-size', 'lots'])).toContain('--batch-size');
    expect(usageError(['--batch-size', '0'])).toContain('--batch-size');
    expect(usageError(['--global-scale', '0.4'])).toContain('--global-scale');
    expect(usageError(['--global-scale', '0.9,0.4'])).toContain('--global-scale');
    expect(usageError(['--local-size', '128', '--global-size', '96'])).toContain('--local-size');
    expect(usageError(['--lr', 'NaN'])).toContain('--lr');
    expect(usageError(['--arch', 'resnet'])).toContain('--arch');
    expect(usageError(['--bogus', '1'])).toContain('--bogus');
    expect(usageError(['--preset', 'huge'])).toContain('--preset');
    expect(usageError(['--epochs'])).toContain('--epochs');
    writeFileSync(join(dir, 'bad.json'), '{"batchSize": -1}');
    expect(usageError(['--config', join(dir, 'bad.json')])).toMatch(/--batch-size \(from .*bad\.json\)/);
    writeFileSync(join(dir, 'unknown.json'), '{"batchsize": 4}');
    expect(usageError(['--config', join(dir, 'unknown.json')])).toContain('batchsize');
    expect(usageError(['--config', join(dir, 'missing.json')])).toContain('missing.json');
  });
  it('commands without config flags refuse them', () => {
    expect(() => parseArgs(['--batch-size', '4'], { options: [] })).toThrow(/--batch-size/);
  });
});

describe('bin/multicrop.js', () => {
  it.skipIf(!process.env.MULTICROP_TEST_BUILT)('prints the overview from the build (set MULTICROP_TEST_BUILT=1 after npm run build)', () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/multicrop.js'), '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('serve');
  });
});
