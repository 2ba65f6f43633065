// Starting a run from imported weights: the backbone is taken as is, the head from the file when it fits, and mismatches are named.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportRun } from '../../../src/engine/io/run-export';
import { importWeightsFile } from '../../../src/engine/io/weights-import';
import { initialTensorsFromWeights } from '../../../src/engine/io/weights-init';
import { makeRun, sameBits, smallConfig } from './make-run';

const root = mkdtempSync(join(tmpdir(), 'mc-init-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('initialTensorsFromWeights', () => {
  it('uses the backbone (and a matching head) bit for bit; initialises a head of other size; names mismatches', async () => {
    const config = smallConfig();
    const { runDir, teachers } = await makeRun(root, config, [0]);
    const teacher = teachers['step-00000000']!;
    const withHead = join(root, 'h.safetensors');
    const bare = join(root, 'b.safetensors');
    await exportRun(runDir, { format: 'safetensors', out: withHead, includeHead: true });
    await exportRun(runDir, { format: 'safetensors', out: bare });

    const a = initialTensorsFromWeights(config, await importWeightsFile(withHead));
    expect(a.headFromFile).toBe(true);
    expect(Object.keys(a.tensors).sort()).toEqual(Object.keys(teacher).sort());
    for (const [k, t] of Object.entries(teacher)) expect(sameBits(a.tensors[k]!.data, t.data), k).toBe(true);

    const b = initialTensorsFromWeights({ ...config, outDim: 128 }, await importWeightsFile(bare), 9);
    expect(b.headFromFile).toBe(false);
    expect(b.tensors['head.last_layer.weight_v']!.shape).toEqual([128, 16]);
    expect(sameBits(b.tensors['blocks.1.mlp.fc2.weight']!.data, teacher['blocks.1.mlp.fc2.weight']!.data)).toBe(true);

    const imported = await importWeightsFile(bare);
    expect(() => initialTensorsFromWeights({ ...config, depth: 4 }, imported)).toThrow(/depth 2 in the file, 4 in the config/);
    expect(() => initialTensorsFromWeights({ ...config, arch: 'vit_small' }, imported)).toThrow(/arch vit_tiny in the file, vit_small in the config/);
  });
});
