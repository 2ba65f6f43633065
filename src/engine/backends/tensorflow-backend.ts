// Native TensorFlow through the optional tfjs-node-gpu (CUDA 11.2 / cuDNN 8.1) or tfjs-node binding.
import * as tf from '../tf/tfjs';
import type { BackendDescriptor, StartOutcome } from './backend-descriptor';

/**
 * tfjs-node(-gpu) registers a 'tensorflow' backend on the tfjs-core it resolves. When npm de-duplicated it to ours,
 * the backend appears in our registry; a nested copy of tfjs-core would register it elsewhere (reported as such).
 */
async function tryNative(pkg: string): Promise<string | null> {
  try {
    await import(/* @vite-ignore */ pkg);
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0] ?? '';
    return /Cannot find (package|module)/.test(msg) || (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND'
      ? `${pkg} is not installed`
      : `${pkg} failed to load (${msg})`;
  }
  if (!tf.findBackend('tensorflow') && !tf.engine().registryFactory['tensorflow']) {
    return `${pkg} loaded but registered its backend on a different copy of @tensorflow/tfjs-core; install versions that share one tfjs-core (${tf.version_core})`;
  }
  try {
    if (await tf.setBackend('tensorflow')) return null;
    return `${pkg} loaded but its backend did not initialise`;
  } catch (e) {
    return `${pkg} backend failed to initialise (${(e as Error).message})`;
  }
}

export const tensorflowBackend: BackendDescriptor = {
  name: 'tensorflow',
  label: 'native TensorFlow',
  attention: 'batched',
  deterministic: false,
  memory: { kind: 'host', activationBudgetBytes: Infinity, copiesInput: false },
  replicas: () => 1,
  async start(): Promise<StartOutcome> {
    const why: string[] = [];
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      const w = await tryNative(pkg);
      if (!w) return { ok: true, detail: `native TensorFlow via ${pkg}${why.length ? ` (${why.join('; ')})` : ''}` };
      why.push(w);
    }
    return { ok: false, why: why.join('; ') };
  },
};
