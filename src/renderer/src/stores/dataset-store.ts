// The opened dataset: folder choice (native dialog, folder browser, opened folders, sample), scan result, the browser's listing and the list of opened folders.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { DirListing, ScanResult } from '../../../shared/ipc-contract';
import { call, callRaw } from '../lib/api-client';
import { useAppStore } from './app-store';

/** Names of the evaluation half of a train/val folder (torchvision and Kaggle spellings). */
const VAL_NAMES = ['val', 'valid', 'validation', 'test'];

const LAST_KEY = 'multicrop.dataset';

export const useDatasetStore = defineStore('dataset', () => {
  const scan = shallowRef<ScanResult | null>(null);
  const scanning = ref(false);
  const recent = ref<string[]>([]);
  /** The folders the person opened (the only ones the engine reads for a page, with the runs folder). */
  const opened = ref<string[]>([]);
  const listing = shallowRef<DirListing | null>(null);
  const selectedImage = ref<string | null>(null);
  /** The opened folder holds train/ and val/: training uses train/, the Evaluation screen's k-NN uses val/. */
  const split = ref<{ root: string; train: string; val: string } | null>(null);
  /** What happened to the last open that did not replace the dataset (empty folder, cancelled scan). */
  const notice = ref<string | null>(null);

  const root = computed(() => scan.value?.root ?? null);
  const imageCount = computed(() => scan.value?.images.length ?? 0);

  async function loadRecent(): Promise<void> {
    recent.value = (await call('datasetRecent', {})) ?? [];
  }

  async function loadOpened(): Promise<void> {
    const r = await call('foldersList', {});
    if (r) opened.value = r.folders;
  }

  /** The train/val halves of `root` when it has that layout (a probe: listing names only). */
  async function splitOf(root: string): Promise<{ root: string; train: string; val: string } | null> {
    const r = await callRaw('fsListDir', { path: root });
    if (!r.ok) return null;
    const dirs = r.value.entries.filter((e) => e.isDir);
    const train = dirs.find((e) => e.name.toLowerCase() === 'train');
    const val = VAL_NAMES.map((n) => dirs.find((e) => e.name.toLowerCase() === n)).find((e) => e);
    return train && val ? { root: r.value.path, train: train.path, val: val.path } : null;
  }

  /** Scan an opened folder; one with train/ and val/ is that layout: train/ is scanned for training, val/ kept for k-NN (unless `asClasses`). */
  async function scanLayout(path: string, asClasses = false): Promise<boolean> {
    const s = asClasses ? null : await splitOf(path);
    const ok = await scanOpened(s ? s.train : path);
    if (ok) split.value = s;
    return ok;
  }

  /**
   * Open a folder (the person's deliberate act: it joins the opened-folders list) and scan it. A folder holding
   * train/ and val/ is that layout, not two classes: train/ is scanned for training, val/ kept for evaluation.
   * `asClasses` scans the folder itself anyway.
   */
  async function open(path: string, asClasses = false): Promise<boolean> {
    scanning.value = true;
    notice.value = null;
    try {
      const o = await call('foldersOpen', { path });
      if (!o) return false;
      opened.value = o.folders;
      return await scanLayout(path, asClasses);
    } finally {
      scanning.value = false;
    }
  }

  /** Stop the scan in progress (the dataset in use stays). */
  async function cancelScan(): Promise<void> {
    await callRaw('datasetCancelScan', {});
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
      const res = await callRaw('datasetScan', { path });
      if (!res.ok) {
        // A cancelled scan is the person's choice, not an error: say so where they are looking.
        if (res.error.code === 'cancelled') notice.value = res.error.message;
        else useAppStore().reportError(res.error, 'datasetScan');
        return false;
      }
      const r = res.value;
      if (r.images.length === 0) {
        // An empty folder never replaces the dataset in use.
        const why = r.skipped.length ? `${r.skipped.length} files skipped, e.g. ${r.skipped[0]!.path.split(/[\\/]/).pop()}: ${r.skipped[0]!.reason}` : 'no files at all';
        notice.value = `${r.root} has no usable images (${why}). ${scan.value ? `Still using ${scan.value.root}.` : 'Open a folder that holds images.'}`;
        return false;
      }
      notice.value = null;
      if (split.value && !r.root.startsWith(split.value.root)) split.value = null;
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
      // The sample comes as train/ and val/ ImageFolders; the engine opened it itself (the person asked for it): scan it.
      return await scanLayout(p);
    } finally {
      scanning.value = false;
    }
  }

  async function pickFolder(): Promise<boolean> {
    // The desktop window's dialog opens the chosen folder in the engine.
    const p = await call('datasetPickFolder', {});
    if (!p) return false;
    void loadOpened();
    return scanLayout(p);
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
        // The train half of a train/val folder: remember its val half for evaluation again.
        const s = await splitOf(r.value.root.replace(/[\\/][^\\/]+[\\/]?$/, '') || r.value.root);
        if (s && s.train === r.value.root) split.value = s;
      }
    } finally {
      scanning.value = false;
    }
  }

  function select(path: string): void {
    selectedImage.value = path;
  }

  return {
    scan,
    scanning,
    recent,
    opened,
    listing,
    selectedImage,
    split,
    notice,
    root,
    imageCount,
    loadRecent,
    loadOpened,
    open,
    cancelScan,
    remove,
    scanOpened,
    openSample,
    pickFolder,
    browse,
    select,
    reopenLast,
  };
});
