// Evaluation: the chosen source (run checkpoint or weights file), k-NN accuracy, nearest-neighbour gallery and attention maps.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { AttentionResult, EvaluationRecord, KnnResult, MetricRow, NeighbourResult } from '../../../shared/ipc-contract';
import { call, callRaw } from '../lib/api-client';

export type SourceKind = 'run' | 'weights';

export const useEvalStore = defineStore('eval', () => {
  const kind = ref<SourceKind>('run');
  const runId = ref('');
  const checkpoint = ref('');
  const weights = ref('');
  const trainDir = ref('');
  const valDir = ref('');
  const k = ref(20);
  const queryImage = ref('');
  const threshold = ref(0.6);

  const knn = shallowRef<KnnResult | null>(null);
  const neighbours = shallowRef<NeighbourResult | null>(null);
  const attention = shallowRef<AttentionResult | null>(null);
  const busy = ref<'knn' | 'neighbours' | 'attention' | null>(null);
  /** The chosen run's kept evaluations and its online k-NN rows (metrics.jsonl), for the top-1-against-step plot. */
  const history = shallowRef<EvaluationRecord[]>([]);
  const onlineKnn = shallowRef<MetricRow[]>([]);
  const historyRun = ref('');
  let attentionGen = 0;
  let historyGen = 0;

  const source = computed(() => {
    if (kind.value === 'weights') return weights.value ? { weights: weights.value } : null;
    if (!runId.value) return null;
    return checkpoint.value ? { runId: runId.value, checkpoint: checkpoint.value } : { runId: runId.value };
  });

  /**
   * The folders an evaluation reads (typed train/val folders, the weights file's folder) are opened first: visibly,
   * in the opened-folders list on the Dataset screen, because the person asked for this evaluation.
   */
  async function openFor(folders: string[]): Promise<boolean> {
    for (const f of folders) {
      if (!(await call('foldersOpen', { path: f }))) return false;
    }
    return true;
  }
  const weightsFolder = (): string[] => (kind.value === 'weights' && weights.value ? [weights.value.replace(/[\\/][^\\/]*$/, '') || '/'] : []);

  async function runKnn(): Promise<void> {
    const src = source.value;
    if (!src || !trainDir.value || !valDir.value) return;
    busy.value = 'knn';
    try {
      if (!(await openFor([trainDir.value, valDir.value, ...weightsFolder()]))) return;
      const r = await call('evalKnn', { source: { ...src }, train: trainDir.value, val: valDir.value, k: k.value });
      if (r) knn.value = Object.freeze(r) as KnnResult;
      if (r && 'runId' in src && src.runId) await loadHistory(src.runId);
    } finally {
      busy.value = null;
    }
  }

  /** Kept evaluations and online k-NN rows of a run (quietly empty for a run that has none yet). */
  async function loadHistory(id: string): Promise<void> {
    const gen = ++historyGen;
    historyRun.value = id;
    const [h, d] = await Promise.all([callRaw('evalHistory', { runId: id }), callRaw('runsGet', { runId: id })]);
    if (gen !== historyGen) return;
    history.value = h.ok ? [...h.value.records] : [];
    onlineKnn.value = d.ok ? d.value.metrics.filter((m) => typeof m.knnTop1 === 'number') : [];
  }

  async function findNeighbours(): Promise<void> {
    const src = source.value;
    if (!src || !trainDir.value || !queryImage.value) return;
    busy.value = 'neighbours';
    try {
      if (!(await openFor([trainDir.value, ...weightsFolder()]))) return;
      const r = await call('evalNeighbours', { source: { ...src }, train: trainDir.value, image: queryImage.value, k: 8 });
      if (r) neighbours.value = Object.freeze(r) as NeighbourResult;
    } finally {
      busy.value = null;
    }
  }

  async function drawAttention(): Promise<void> {
    const src = source.value;
    if (!src || !queryImage.value) return;
    const gen = ++attentionGen;
    busy.value = 'attention';
    try {
      if (!(await openFor(weightsFolder()))) return;
      const r = await call('evalAttention', { source: { ...src }, image: queryImage.value, threshold: threshold.value });
      if (r && gen === attentionGen) attention.value = Object.freeze(r) as AttentionResult;
    } finally {
      if (gen === attentionGen) busy.value = null;
    }
  }

  return {
    kind,
    runId,
    checkpoint,
    weights,
    trainDir,
    valDir,
    k,
    queryImage,
    threshold,
    knn,
    neighbours,
    attention,
    busy,
    source,
    history,
    onlineKnn,
    historyRun,
    runKnn,
    loadHistory,
    findNeighbours,
    drawAttention,
  };
});
