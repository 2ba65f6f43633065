// The plain-JavaScript cpu backend: always available, deterministic, slow.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../tf/tfjs';
import type { BackendDescriptor } from './backend-descriptor';

export const cpuBackend: BackendDescriptor = {
  name: 'cpu',
  label: 'plain JavaScript',
  attention: 'fused',
  deterministic: true,
  memory: { kind: 'host', activationBudgetBytes: Infinity, copiesInput: false },
  // Kernels run on one thread: up to one data-parallel replica per core (assemble-run.ts picks a count dividing the batch).
  replicas: (cores) => cores,
  async start() {
    await tf.setBackend('cpu');
    return { ok: true, detail: 'plain JavaScript' };
  },
};
