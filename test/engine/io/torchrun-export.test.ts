// The torchrun export: every flag is one main_dino.py accepts, values parse back to the config, and no setting is dropped.
import { describe, expect, it } from 'vitest';
import { configShape, presetConfig, RECIPE_DEFAULTS, type StudioConfig } from '../../../src/shared/config-schema';
import { torchrunCommand } from '../../../src/engine/io/torchrun-export';

/** main_dino.py's get_args_parser() flags (facebookresearch/dino), with nargs='+' ones marked. */
const OFFICIAL_FLAGS = new Set([
  '--arch', '--patch_size', '--out_dim', '--norm_last_layer', '--momentum_teacher', '--use_bn_in_head',
  '--warmup_teacher_temp', '--teacher_temp', '--warmup_teacher_temp_epochs', '--use_fp16', '--weight_decay',
  '--weight_decay_end', '--clip_grad', '--batch_size_per_gpu', '--epochs', '--freeze_last_layer', '--lr',
  '--warmup_epochs', '--min_lr', '--optimizer', '--drop_path_rate', '--global_crops_scale', '--local_crops_number',
  '--local_crops_scale', '--data_path', '--output_dir', '--saveckp_freq', '--seed', '--num_workers', '--dist_url',
  '--local_rank',
]);

/** Shell-split the command (ignoring comments), return the torchrun prefix and flag -> values. */
function parse(text: string): { prefix: string[]; flags: Map<string, string[]>; comments: string } {
  const commandLines = text.split('\n').filter((l) => l.trim() && !l.trimStart().startsWith('#'));
  const joined = commandLines.map((l) => l.replace(/\\$/, '')).join(' ');
  const words: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g;
  for (let m; (m = re.exec(joined)); ) words.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!);
  const prefix: string[] = [];
  const flags = new Map<string, string[]>();
  let current: string | null = null;
  for (const w of words) {
    if (w.startsWith('--') && !w.startsWith('--nproc_per_node')) {
      current = w;
      expect(flags.has(w), `flag ${w} given twice`).toBe(false);
      flags.set(w, []);
    } else if (current) flags.get(current)!.push(w);
    else prefix.push(w);
  }
  const comments = text.split('\n').filter((l) => l.trimStart().startsWith('#')).join('\n');
  return { prefix, flags, comments };
}

const opts = { nprocPerNode: 4, dataPath: '/data/my images/train', outputDir: '/ckpt/run1' };

describe('torchrunCommand', () => {
  it('uses only main_dino.py flags and parses back to the run config', () => {
    const config: StudioConfig = { ...RECIPE_DEFAULTS, batchSize: 64, accumulate: 2, lr: 0.0007, seed: 11, normLastLayer: false };
    const { prefix, flags } = parse(torchrunCommand(config, opts));
    expect(prefix).toEqual(['torchrun', '--nproc_per_node=4', 'main_dino.py']);
    for (const f of flags.keys()) expect(OFFICIAL_FLAGS.has(f), `${f} is not a main_dino.py flag`).toBe(true);
    const one = (f: string) => {
      const v = flags.get(f);
      expect(v, `missing ${f}`).toBeDefined();
      expect(v!.length, `${f} takes one value`).toBe(1);
      return v![0]!;
    };
    expect(one('--arch')).toBe('vit_small');
    expect(Number(one('--patch_size'))).toBe(config.patchSize);
    expect(Number(one('--out_dim'))).toBe(config.outDim);
    expect(one('--norm_last_layer')).toBe('false');
    expect(Number(one('--momentum_teacher'))).toBe(config.momentumTeacher);
    expect(Number(one('--warmup_teacher_temp'))).toBe(config.warmupTeacherTemp);
    expect(Number(one('--teacher_temp'))).toBe(config.teacherTemp);
    expect(Number(one('--warmup_teacher_temp_epochs'))).toBe(config.warmupTeacherTempEpochs);
    expect(one('--use_fp16')).toBe('false');
    expect(Number(one('--weight_decay'))).toBe(config.weightDecay);
    expect(Number(one('--weight_decay_end'))).toBe(config.weightDecayEnd);
    expect(Number(one('--clip_grad'))).toBe(config.clipGrad);
    // 64 x 2 accumulated = 128 images per update, over 4 processes.
    expect(Number(one('--batch_size_per_gpu')) * 4).toBe(128);
    expect(Number(one('--epochs'))).toBe(config.epochs);
    expect(Number(one('--freeze_last_layer'))).toBe(config.freezeLastLayer);
    expect(Number(one('--lr'))).toBe(0.0007);
    expect(Number(one('--warmup_epochs'))).toBe(config.warmupEpochs);
    expect(Number(one('--min_lr'))).toBe(config.minLr);
    expect(one('--optimizer')).toBe('adamw');
    expect(flags.get('--global_crops_scale')!.map(Number)).toEqual(config.globalScale);
    expect(Number(one('--local_crops_number'))).toBe(config.localCrops);
    expect(flags.get('--local_crops_scale')!.map(Number)).toEqual(config.localScale);
    expect(Number(one('--seed'))).toBe(11);
    expect(Number(one('--num_workers'))).toBe(config.workers);
    expect(one('--data_path')).toBe('/data/my images/train');
    expect(one('--output_dir')).toBe('/ckpt/run1');
  });

  it('names every config key, and lists the ones main_dino.py lacks as NOT reproduced when they differ', () => {
    const config = presetConfig('cpu-small'); // depth 2, 64/32 px crops, smaller head: all differ from the official code
    const text = torchrunCommand(config, opts);
    const { comments } = parse(text);
    for (const key of Object.keys(configShape)) expect(text, `config key ${key} is not mentioned`).toContain(key);
    const notReproduced = comments.slice(comments.indexOf('NOT reproduced'), comments.indexOf('Same as the value'));
    for (const key of ['globalSize', 'localSize', 'depth', 'headHiddenDim', 'headBottleneckDim']) {
      expect(notReproduced).toMatch(new RegExp(`#   ${key} = `));
    }
    expect(notReproduced).toContain('depth = 2; main_dino.py uses 12');
    expect(notReproduced).not.toContain('flipProb');
    // The recipe defaults differ from main_dino.py nowhere.
    expect(torchrunCommand(RECIPE_DEFAULTS, opts)).not.toContain('NOT reproduced');
  });

  it('warns when the batch does not divide over the processes', () => {
    const text = torchrunCommand({ ...RECIPE_DEFAULTS, batchSize: 30 }, { ...opts, nprocPerNode: 4 });
    expect(text).toMatch(/WARNING: 30 images per step do not divide over 4 processes/);
    expect(parse(text).flags.get('--batch_size_per_gpu')).toEqual(['7']);
  });
});
