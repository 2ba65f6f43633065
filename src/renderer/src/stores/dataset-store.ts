// The opened dataset: folder choice (native dialog, folder browser, recent, sample), scan result and the browser's listing.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { DirListing, ScanResult } from '../../../shared/ipc-contract';
import { call, callRaw } from '../lib/api-client';

const LAST_KEY = 'multicrop.dataset';

export const useDatasetStore = defineStore('dataset', () => {
  const scan = shallowRef<ScanResult | null>(null);
  const scanning = ref(false);
  const recent = ref<string[]>([]);
  const listing = shallowRef<DirListing | null>(null);
  const selectedImage = ref<string | null>(null);

  const root = computed(() => scan.value?.root ?? null);
  const imageCount = computed(() => scan.value?.images.length ?? 0);

  async function loadRecent(): Promise<void> {
    recent.value = (await call('datasetRecent', {})) ?? [];
  }

  async function open(path: string): Promise<boolean> {
    scanning.value = true;
    try {
      const r = await call('datasetScan', { path });
      if (!r) return false;
      scan.value = Object.freeze(r) as ScanResult;
      localStorage.setItem(LAST_KEY, r.root);
      selectedImage.value = r.images[0]?.path ?? null;
      void loadRecent();
      return true;
    } finally {
      scanning.value = false;
    }
  }

  async function openSample(): Promise<boolean> {
    scanning.value = true;
    try {
      const p = await call('datasetOpenSample', {});
      if (!p) return false;
      // The sample comes as train/ and val/ ImageFolders: train on train/ (val/ is for the Evaluation screen's k-NN).
      const l = await call('fsListDir', { path: p });
      const train = l?.entries.find((e) => e.isDir && e.name === 'train');
      return await open(train ? train.path : p);
    } finally {
      scanning.value = false;
    }
  }

  async function pickFolder(): Promise<boolean> {
    const p = await call('datasetPickFolder', {});
    if (!p) return false;
    return open(p);
  }

  async function browse(path: string): Promise<void> {
    const r = await call('fsListDir', { path });
    if (r) listing.value = r;
  }

  /** Reopen the dataset of the last session (quietly: a folder that has gone is simply not reopened). */
  async function reopenLast(): Promise<void> {
    const last = localStorage.getItem(LAST_KEY);
    if (!last || scan.value) return;
    scanning.value = true;
    try {
      const r = await callRaw('datasetScan', { path: last });
      if (r.ok && !scan.value) {
        scan.value = Object.freeze(r.value) as ScanResult;
        selectedImage.value = r.value.images[0]?.path ?? null;
      }
    } finally {
      scanning.value = false;
    }
  }

  function select(path: string): void {
    selectedImage.value = path;
  }

  return { scan, scanning, recent, listing, selectedImage, root, imageCount, loadRecent, open, openSample, pickFolder, browse, select, reopenLast };
});
