// Export of a run's teacher to .safetensors (official names) and back through the strict import: bit-identical tensors, and the torchrun export of a run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportRun } from '../../../src/engine/io/run-export';
import { importWeightsFile } from '../../../src/engine/io/weights-import';
import { readSafetensors } from '../../../src/engine/io/safetensors';
import { makeRun, sameBits, smallConfig } from './make-run';

const root = mkdtempSync(join(tmpdir(), 'mc-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('export of a run checkpoint', () => {
  it('backbone only: bare vision_transformer names, bit-identical after import, metadata says what it is', async () => {
    const config = smallConfig();
    const { runDir, teachers } = await makeRun(join(root, 'a'), config, [0, 5]);
    const out = join(root, 'teacher.safetensors');
    const r = await exportRun(runDir, { format: 'safetensors', out });
    expect(r.format).toBe('safetensors');
    expect(r.bytes).toBe(readFileSync(out).byteLength);
    const latest = teachers['step-00000005']!;
    const imported = await importWeightsFile(out);
    expect(imported.arch).toBe('vit_tiny');
    expect(imported.vit.depth).toBe(2);
    expect(imported.head).toBeNull();
    const backboneKeys = Object.keys(latest).filter((k) => !k.startsWith('head.'));
    expect(Object.keys(imported.backbone).sort()).toEqual(backboneKeys.sort());
    for (const k of backboneKeys) {
      expect(imported.backbone[k]!.shape).toEqual(latest[k]!.shape);
      expect(sameBits(imported.backbone[k]!.data, latest[k]!.data), `${k} differs`).toBe(true);
    }
    expect(Object.is(imported.backbone['blocks.0.norm1.bias']!.data[0], -0)).toBe(true);
    expect(imported.metadata).toMatchObject({ format: 'pt', arch: 'vit_tiny', patch_size: '16', depth: '2', layout: 'vision_transformer backbone' });
  });

  it('with the head: MultiCropWrapper layout, a named earlier checkpoint, bit-identical head', async () => {
    const config = smallConfig({ outDim: 50 });
    const { runDir, teachers } = await makeRun(join(root, 'b'), config, [0, 5]);
    const out = join(root, 'with-head.safetensors');
    await exportRun(runDir, { format: 'safetensors', out, includeHead: true, checkpoint: 'step-00000000' });
    const raw = (await readSafetensors(out)).tensors;
    expect(Object.keys(raw).every((k) => k.startsWith('backbone.') || k.startsWith('head.'))).toBe(true);
    expect(raw['head.last_layer.weight_v']!.shape).toEqual([50, 16]);
    const imported = await importWeightsFile(out);
    const step0 = teachers['step-00000000']!;
    expect(imported.headConfig).toEqual({ inDim: 192, hiddenDim: 32, bottleneckDim: 16, outDim: 50, normLastLayer: true });
    for (const [k, t] of Object.entries(step0)) {
      const got = k.startsWith('head.') ? imported.head![k] : imported.backbone[k];
      expect(got, `${k} missing`).toBeDefined();
      expect(sameBits(got!.data, t.data), `${k} differs`).toBe(true);
    }
  });

  it('export -> import -> export gives the same bytes', async () => {
    const { runDir } = await makeRun(join(root, 'c'), smallConfig(), [0]);
    const a = join(root, 'c1.safetensors');
    await exportRun(runDir, { format: 'safetensors', out: a });
    const first = readFileSync(a);
    const again = await readSafetensors(a);
    const { serializeSafetensors } = await import('../../../src/engine/io/safetensors');
    expect(Buffer.from(serializeSafetensors(again.tensors, again.metadata)).equals(first)).toBe(true);
  });

  it('names a missing checkpoint and a folder that is not a run', async () => {
    const { runDir } = await makeRun(join(root, 'd'), smallConfig(), [0]);
    await expect(exportRun(runDir, { format: 'safetensors', out: join(root, 'x.safetensors'), checkpoint: 'step-00000099' })).rejects.toThrow(
      /has no checkpoint step-00000099 \(it has step-00000000\)/,
    );
    await expect(exportRun(join(root, 'nowhere'), { format: 'safetensors', out: join(root, 'x.safetensors') })).rejects.toThrow(/no usable checkpoint/);
    await expect(exportRun(join(root, 'nowhere'), { format: 'torchrun', out: join(root, 'x.sh') })).rejects.toThrow(/not a run folder/);
  });

  it('torchrun format: writes the command for the run config with the dataset of the checkpoint', async () => {
    const { runDir } = await makeRun(join(root, 'e'), smallConfig({ epochs: 7 }), [0]);
    const out = join(root, 'cluster.sh');
    const r = await exportRun(runDir, { format: 'torchrun', out, checkpoint: 'step-00000000', nprocPerNode: 2 });
    const text = readFileSync(out, 'utf8');
    expect(r.bytes).toBe(Buffer.byteLength(text));
    expect(text).toContain('torchrun --nproc_per_node=2 main_dino.py');
    expect(text).toContain('--epochs 7');
    expect(text).toContain('--data_path /data/hymenoptera/train');
    expect(text).toContain('depth = 2; main_dino.py uses 12');
  });
});
