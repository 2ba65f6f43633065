// safetensors: reading the official golden weights, bit-identical write/read round trips, clear errors on bad files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GOLDEN_DIR, HAS_SHARED, SKIP_SHARED, SKIP_SHARED_REASON, requireShared } from '../../support/shared-fixtures';
import { parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors } from '../../../src/engine/io/safetensors';
import { vitConfig, vitSpecs } from '../../../src/engine/model/vit';
import { checkKeys } from '../../../src/engine/model/param-store';

const dir = mkdtempSync(join(tmpdir(), 'safetensors-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('safetensors', () => {
  it('round-trips tensors and metadata bit for bit', async () => {
    const t = {
      b: { shape: [2, 3], data: Float32Array.of(1.5, -2, Number.MIN_VALUE, 3.4e38, -0, 7) },
      a: { shape: [1], data: Float32Array.of(Math.PI) },
      scalar: { shape: [], data: Float32Array.of(42) },
    };
    const f = join(dir, 'x.safetensors');
    await writeSafetensors(f, t, { format: 'pt' });
    const bytes = readFileSync(f);
    // 8-byte little-endian header length, header padded to a multiple of 8.
    const headerLen = Number(bytes.readBigUInt64LE(0));
    expect(headerLen % 8).toBe(0);
    expect(JSON.parse(bytes.subarray(8, 8 + headerLen).toString()).__metadata__).toEqual({ format: 'pt' });
    const back = await readSafetensors(f);
    expect(back.metadata).toEqual({ format: 'pt' });
    for (const [k, v] of Object.entries(t)) {
      expect(back.tensors[k]!.shape).toEqual(v.shape);
      expect(Buffer.from(back.tensors[k]!.data.buffer).equals(Buffer.from(v.data.buffer))).toBe(true);
    }
    expect(Buffer.from(serializeSafetensors(back.tensors, back.metadata)).equals(bytes)).toBe(true);
  });

  it('reports truncated or malformed files with the file name', () => {
    expect(() => parseSafetensors(new Uint8Array(4), 'tiny.safetensors')).toThrow(/tiny\.safetensors is not a safetensors file/);
    const bad = serializeSafetensors({ w: { shape: [4], data: new Float32Array(4) } });
    expect(() => parseSafetensors(bad.subarray(0, bad.length - 4), 'cut.safetensors')).toThrow(/cut\.safetensors: tensor w has inconsistent offsets/);
    const f = join(dir, 'garbage.safetensors');
    writeFileSync(f, Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('not json')]));
    return expect(readSafetensors(f)).rejects.toThrow(/garbage\.safetensors is not a safetensors file: its header is not JSON/);
  });

  it.skipIf(SKIP_SHARED)(`reads the official ViT-Tiny/16 weights with every expected key and shape (${HAS_SHARED ? 'golden file' : SKIP_SHARED_REASON})`, async () => {
    requireShared();
    const { tensors } = await readSafetensors(resolve(GOLDEN_DIR, 'vit_tiny16.safetensors'));
    const specs = vitSpecs(vitConfig('vit_tiny', 16, 12));
    expect(() => checkKeys(specs, tensors, 'vit_tiny16.safetensors')).not.toThrow();
    for (const s of specs) expect(tensors[s.name]!.shape, s.name).toEqual(s.hostShape);
    const { ['norm.bias']: _drop, ...rest } = tensors;
    expect(() => checkKeys(specs, rest, 'x.safetensors')).toThrow(/x\.safetensors lacks 1 expected tensor\(s\): norm\.bias/);
    expect(() => checkKeys(specs, { ...tensors, extra: tensors['norm.bias']! }, 'y.safetensors')).toThrow(/unexpected tensor\(s\): extra/);
  });
});
