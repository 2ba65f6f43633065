// Plain-text rendering of a MemoryEstimate, for `multicrop train --dry-run` and logs.
import type { MemoryEstimate } from '../../shared/ipc-contract';

function mb(x: number): string {
  return x >= 1024 ? `${(x / 1024).toFixed(2)} GB` : `${x.toFixed(1)} MB`;
}

export function formatMemoryEstimate(e: MemoryEstimate): string {
  const rows: [string, number][] = [
    ['parameters (student)', e.parametersMb],
    ['teacher copy', e.teacherMb],
    ['AdamW state (m, v)', e.optimizerMb],
    ['gradients', e.gradientsMb],
    ['activations (peak of a step)', e.activationsMb],
    ['loader queue and batch buffers', e.loaderMb],
    ['runtime (Node, tfjs, sharp, workers)', e.runtimeMb],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = [`Memory estimate (${e.backend} backend):`];
  for (const [k, v] of rows) lines.push(`  ${k.padEnd(w)}  ${mb(v).padStart(10)}`);
  if (e.gpuMb !== undefined) {
    // webgpu: the tensors above are GPU buffers; the process itself holds the loader and the runtime.
    lines.push(`  ${'in GPU buffers'.padEnd(w)}  ${mb(e.gpuMb).padStart(10)}`);
    if (e.largestBufferMb !== undefined && e.bufferLimitMb !== undefined) {
      lines.push(`  ${'largest buffer'.padEnd(w)}  ${mb(e.largestBufferMb).padStart(10)}  (${e.adapter ?? 'the adapter'} allows ${mb(e.bufferLimitMb)})`);
    }
    lines.push(`  ${'process memory'.padEnd(w)}  ${mb(e.totalMb).padStart(10)}`);
  } else lines.push(`  ${'total'.padEnd(w)}  ${mb(e.totalMb).padStart(10)}`);
  lines.push(`  ${'available'.padEnd(w)}  ${mb(e.availableMb).padStart(10)}`);
  lines.push(
    e.fits
      ? `  fits; the largest batch that fits is ${e.largestBatch}`
      : `  DOES NOT FIT (largest batch that fits: ${e.largestBatch || 'none'})`,
  );
  if (e.advice) lines.push(`  ${e.advice}`);
  return lines.join('\n');
}
