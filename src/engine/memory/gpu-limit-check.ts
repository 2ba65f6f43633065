// Refuses, before a run starts, a configuration whose largest tensor exceeds the WebGPU adapter's per-buffer limit, with the numbers and what to do.
import type { StudioConfig } from '../../shared/config-schema';
import type { BackendInfo } from '../../shared/ipc-contract';
import { systemAvailableMb } from './available-memory';
import { estimateMemory } from './estimate-memory';
import { bufferLimitBytes, largestBuffer } from './gpu-buffers';

/** Why this configuration cannot run on this backend's adapter, or null (always null off webgpu). */
export function gpuLimitProblem(config: StudioConfig, backend: BackendInfo): string | null {
  if (!backend.adapter || backend.memory !== 'gpu') return null;
  const big = largestBuffer(config, backend.attention);
  if (big.bytes <= bufferLimitBytes(backend.adapter)) return null;
  const e = estimateMemory(config, { backend: backend.name, adapter: backend.adapter, systemAvailableMb: systemAvailableMb() });
  return e.advice ?? `Batch ${config.batchSize} needs a ${big.bytes} byte buffer (${big.what}); this GPU allows ${bufferLimitBytes(backend.adapter)}: lower the batch or use accumulation.`;
}
