// The largest single tensor (GPU buffer) a training step allocates, to check a configuration against a WebGPU adapter's per-buffer limits before it starts.
import type { AdapterInfo } from '../../shared/ipc-contract';
import type { AttentionLayout } from '../backends/backend-descriptor';
import type { EstimateConfig } from './estimate-memory';
import { countParameters } from './parameter-count';

const FLOAT = 4;

export interface LargestBuffer {
  bytes: number;
  /** Which tensor it is, for people: "the attention scores of the 2 x 64 global views". */
  what: string;
}

/**
 * Every tensor of a step is at most one of these (per resolution group of n images and T tokens): the batched
 * attention scores [n*heads, T, T] ('batched' and 'fused'; the 'pairs' layout holds [T, T] per image and head), the MLP's hidden
 * [n*T, 4d], qkv and its gradient [n*T, 3d], the patches [n*(T-1), 3p^2]; in the head, [views*B, hidden] and
 * [views*B, K], and the last layer's [bottleneck, K].
 */
export function largestBuffer(c: EstimateConfig, layout: AttentionLayout): LargestBuffer {
  const pc = countParameters(c);
  const d = pc.embedDim;
  const b = c.batchSize;
  const groups = [{ views: 2, size: c.globalSize, name: 'global' }];
  if (c.localCrops > 0) groups.push({ views: c.localCrops, size: c.localSize, name: 'local' });
  const cands: LargestBuffer[] = [];
  for (const g of groups) {
    const n = g.views * b;
    const t = (g.size / c.patchSize) ** 2 + 1;
    const of = `of the ${g.views} x ${b} ${g.name} views (${g.size} px)`;
    cands.push({ bytes: (layout === 'pairs' ? t * t : n * pc.heads * t * t) * FLOAT, what: `the attention scores ${of}` });
    cands.push({ bytes: n * t * 4 * d * FLOAT, what: `the MLP activations ${of}` });
    cands.push({ bytes: n * t * 3 * d * FLOAT, what: `the query/key/value rows ${of}` });
    cands.push({ bytes: n * (t - 1) * 3 * c.patchSize ** 2 * FLOAT, what: `the image patches ${of}` });
  }
  const rows = (2 + c.localCrops) * b;
  cands.push({ bytes: rows * Math.max(c.headHiddenDim, c.outDim) * FLOAT, what: `the DINO head's ${rows} rows of ${Math.max(c.headHiddenDim, c.outDim)}` });
  cands.push({ bytes: c.headBottleneckDim * c.outDim * FLOAT, what: `the head's last layer (${c.headBottleneckDim} x ${c.outDim})` });
  return cands.reduce((a, x) => (x.bytes > a.bytes ? x : a));
}

/** The most bytes one tensor may have on this adapter (tfjs binds each tensor as one storage buffer). */
export function bufferLimitBytes(a: AdapterInfo): number {
  return Math.min(a.limits.maxBufferSize, a.limits.maxStorageBufferBindingSize);
}
