// Node side of the compute-window test: the same 3 DINO steps on the engine's cpu backend; prints {losses, state} as one JSON line (tensors base64).
import { startBackend } from '../../../src/engine/backends/select-backend';
import { createDinoSystem } from '../../../src/engine/train/dino-system';
import { COMPUTE_CFG, COMPUTE_SEED, COMPUTE_STEPS, computeBatch, computeSched, f32ToBase64, type EncodedState } from '../../support/compute-steps';

const b = await startBackend('cpu');
if (b.name !== 'cpu') throw new Error(`cpu backend did not start: ${b.reason}`);
const sys = createDinoSystem(COMPUTE_CFG, { seed: COMPUTE_SEED, attention: 'batched' });
const losses: number[] = [];
for (let s = 0; s < COMPUTE_STEPS; s++) losses.push((await sys.step([computeBatch(s)], computeSched(s))).loss);
const st = await sys.readState();
const state: EncodedState = { center: f32ToBase64(st.center.data) };
for (const part of ['student', 'teacher', 'optimizer'] as const) for (const [k, t] of Object.entries(st[part])) state[`${part}.${k}`] = f32ToBase64(t.data);
process.stdout.write(JSON.stringify({ losses, state }) + '\n');
