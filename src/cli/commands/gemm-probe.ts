// The matrix-multiply ceiling behind `bench-train`: GFLOP/s of one ViT-sized matMul on our backend and in PyTorch, one thread each.
import { spawnSync } from 'node:child_process';
import * as tf from '../../engine/tf/tfjs';

export interface GemmProbe {
  /** [m, k, n]: an [m, k] x [k, n] product (tokens of a global batch x width, width x 4 width: the MLP's first layer). */
  shape: [number, number, number];
  oursGflops: number;
  torchGflops: number | null;
  torchNote: string;
}

/** Seconds per call of `fn`, repeated for about `budgetS` seconds after 2 warm-up calls. */
function timePerCall(fn: () => void, budgetS: number): number {
  fn();
  fn();
  let reps = 0;
  const t0 = performance.now();
  while (reps < 3 || performance.now() - t0 < budgetS * 1000) {
    fn();
    reps++;
  }
  return (performance.now() - t0) / 1000 / reps;
}

const TORCH_GEMM = `
import json, sys, time, torch
torch.set_num_threads(1)
m, k, n = map(int, sys.argv[1:4])
a, b = torch.randn(m, k), torch.randn(k, n)
for _ in range(2): a @ b
reps, t0 = 0, time.perf_counter()
while reps < 3 or time.perf_counter() - t0 < 2: a @ b; reps += 1
print(json.dumps({'gflops': 2 * m * k * n / ((time.perf_counter() - t0) / reps) / 1e9, 'version': torch.__version__}))
`;

/** Our backend's and PyTorch's (python3 at `python`, if it has torch) single-thread GFLOP/s on an [m,k] x [k,n] matMul. */
export function probeGemm(m: number, k: number, n: number, python: string): GemmProbe {
  const a = tf.randomNormal([m, k]) as tf.Tensor2D;
  const b = tf.randomNormal([k, n]) as tf.Tensor2D;
  const s = timePerCall(() => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  }, 2);
  a.dispose();
  b.dispose();
  const flops = 2 * m * k * n;
  // torch.set_num_threads does not bind OpenBLAS's own thread pool: pin it through the environment too
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const r = spawnSync(python, ['-c', TORCH_GEMM, String(m), String(k), String(n)], { encoding: 'utf8', env });
  let torchGflops: number | null = null;
  let torchNote = `not run (${python} with torch not found)`;
  if (r.status === 0) {
    const j = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { gflops: number; version: string };
    torchGflops = Math.round(j.gflops * 10) / 10;
    torchNote = `pytorch ${j.version}, 1 thread`;
  } else if (!r.error) torchNote = `failed: ${(r.stderr || '').trim().slice(-200)}`;
  return { shape: [m, k, n], oursGflops: Math.round((flops / s / 1e9) * 10) / 10, torchGflops, torchNote };
}
