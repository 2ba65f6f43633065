// Kept runs: the list and one reopened run (its config, curves and checkpoints).
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { RunDetail, RunSummary } from '../../../shared/ipc-contract';
import { call } from '../lib/api-client';

export const useRunsStore = defineStore('runs', () => {
  const list = shallowRef<RunSummary[]>([]);
  const loading = ref(false);
  const opened = shallowRef<RunDetail | null>(null);

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      const r = await call('runsList', {});
      if (r) list.value = [...r].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    } finally {
      loading.value = false;
    }
  }

  async function open(runId: string): Promise<void> {
    const d = await call('runsGet', { runId });
    if (d) opened.value = Object.freeze(d) as RunDetail;
  }

  function close(): void {
    opened.value = null;
  }

  return { list, loading, opened, refresh, open, close };
});
