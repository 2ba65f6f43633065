// The opened dataset: folder choice (native dialog, folder browser, opened folders, sample), scan result, the browser's listing and the list of opened folders.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { DirListing, ScanResult } from '../../../shared/ipc-contract';
import { call, callRaw } from '../lib/api-client';

const LAST_KEY = 'multicrop.dataset';

export const useDatasetStore = defineStore('dataset', () => {
  const scan = shallowRef<ScanResult | null>(null);
  const scanning = ref(false);
  const recent = ref<string[]>([]);
  /** The folders the person opened (the only ones the engine reads for a page, with the runs folder). */
  const opened = ref<string[]>([]);
  const listing = shallowRef<DirListing | null>(null);
  const selectedImage = ref<string | null>(null);

  const root = computed(() => scan.value?.root ?? null);
  const imageCount = computed(() => scan.value?.images.length ?? 0);

  async function loadRecent(): Promise<void> {
    recent.value = (await call('datasetRecent', {})) ?? [];
  }

  async function loadOpened(): Promise<void> {
    const r = await call('foldersList', {});
    if (r) opened.value = r.folders;
  }

  /** Open a folder (the person's deliberate act: it joins the opened-folders list) and scan it. */
  async function open(path: string): Promise<boolean> {
    scanning.value = true;
    try {
      const o = await call('foldersOpen', { path });
      if (!o) return false;
      opened.value = o.folders;
      return await scanOpened(path);
    } finally {
      scanning.value = false;
    }
  }

  /** Close an opened folder: the engine no longer reads it; a dataset shown from it is closed too. */
  async function remove(path: string): Promise<void> {
    const r = await call('foldersRemove', { path });
    if (!r) return;
    opened.value = r.folders;
    const root = scan.value?.root;
    if (root && (root === path || root.startsWith(path.replace(/[\\/]+$/, '') + '/'))) {
      scan.value = null;
      selectedImage.value = null;
      localStorage.removeItem(LAST_KEY);
    }
    void loadRecent();
  }

  async function scanOpened(path: string): Promise<boolean> {
    scanning.value = true;
    try {
      const r = await call('datasetScan', { path });
      if (!r) return false;
      scan.value = Object.freeze(r) as ScanResult;
      localStorage.setItem(LAST_KEY, r.root);
      selectedImage.value = r.images[0]?.path ?? null;
      void loadRecent();
      void loadOpened();
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
      // The engine opened the sample folder itself (the person asked for it): scan it.
      return await scanOpened(train ? train.path : p);
    } finally {
      scanning.value = false;
    }
  }

  async function pickFolder(): Promise<boolean> {
    // The desktop window's dialog opens the chosen folder in the engine.
    const p = await call('datasetPickFolder', {});
    if (!p) return false;
    void loadOpened();
    return scanOpened(p);
  }

  async function browse(path: string): Promise<void> {
    const r = await call('fsListDir', { path });
    if (r) listing.value = r;
  }

  /** Reopen the dataset of the last session (quietly: a folder that has gone, or was removed from the opened folders, is simply not reopened). */
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

  return { scan, scanning, recent, opened, listing, selectedImage, root, imageCount, loadRecent, loadOpened, open, remove, scanOpened, openSample, pickFolder, browse, select, reopenLast };
});
