// Presets: what a preset would change (listed before it changes anything), the CPU slowdown warning, and preset files (export -> import round trip, every bad file named).
import { describe, expect, it } from 'vitest';
import { presetConfig, RECIPE_DEFAULTS } from '../../src/shared/config-schema';
import { configChanges, slowdownWarning } from '../../src/renderer/src/lib/config-changes';
import { parsePresetFile, presetFileName, presetFileText, PRESET_FORMAT } from '../../src/renderer/src/lib/preset-file';

const cpu = presetConfig('cpu-small');

describe('configChanges and slowdownWarning', () => {
  it('resetting cpu-small augmentation to the recipe lists exactly the three size settings and warns it is slow on a CPU', () => {
    const next = { ...cpu, globalSize: 224, localSize: 96, localCrops: 8 };
    expect(configChanges(cpu, next)).toEqual([
      { key: 'globalSize', label: expect.any(String), from: '64', to: '224' },
      { key: 'localSize', label: expect.any(String), from: '32', to: '96' },
      { key: 'localCrops', label: expect.any(String), from: '2', to: '8' },
    ]);
    // (2*224^2 + 8*96^2) / (2*64^2 + 2*32^2) = 174080 / 10240 = 17
    expect(slowdownWarning(cpu, next)).toMatch(/224\/96 px with 8 local crops: 17x the pixels .* 64\/32 px x2/);
    expect(slowdownWarning(next, cpu)).toBeNull();
  });
});

describe('preset files', () => {
  it('export then import gives the same settings and name', () => {
    const p = { name: 'small crops', config: { ...cpu, localScale: [0.1, 0.3] as [number, number] } };
    const back = parsePresetFile(presetFileText(p), 'x.json', RECIPE_DEFAULTS);
    expect(back).toEqual(p);
    expect(presetFileName('small crops / v2')).toBe('small-crops-v2.multicrop-preset.json');
  });
  it('a partial preset keeps the recipe defaults for what it leaves out', () => {
    const p = parsePresetFile(JSON.stringify({ format: PRESET_FORMAT, name: 'lr', config: { lr: 0.001 } }), 'lr.json', RECIPE_DEFAULTS);
    expect(p.config).toEqual({ ...RECIPE_DEFAULTS, lr: 0.001 });
  });
  it('names the file and the problem: not JSON, not a preset, an unknown setting, a wrong value, an invalid combination', () => {
    const file = (config: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ format: PRESET_FORMAT, name: 'p', config, ...extra });
    expect(() => parsePresetFile('{oops', 'bad.json', RECIPE_DEFAULTS)).toThrow(/^bad\.json is not JSON/);
    expect(() => parsePresetFile(JSON.stringify({ lr: 1 }), 'other.json', RECIPE_DEFAULTS)).toThrow(/^other\.json is not a Multicrop Studio preset: format/);
    expect(() => parsePresetFile(file({ learningRate: 1 }), 'unk.json', RECIPE_DEFAULTS)).toThrow(/unk\.json .*learningRate/);
    expect(() => parsePresetFile(file({ batchSize: -3 }), 'neg.json', RECIPE_DEFAULTS)).toThrow(/neg\.json .*batchSize/);
    expect(() => parsePresetFile(file({ globalSize: 64, localSize: 128 }), 'sizes.json', RECIPE_DEFAULTS)).toThrow(/^sizes\.json: localSize: .*larger than the global crop size/);
  });
});
