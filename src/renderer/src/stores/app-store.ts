// App-wide state: engine info, backend badge, active screen, theme, error toasts and progress of long jobs.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AppInfo, BackendInfo, ProgressEvent, StudioError } from '../../../shared/ipc-contract';
import { callRaw, onEvent, setFailureSink, studio } from '../lib/api-client';

export const SCREENS = ['Dataset', 'Augmentation', 'Training', 'Runs', 'Evaluation'] as const;
export type ScreenName = (typeof SCREENS)[number];

export interface Toast {
  id: number;
  title: string;
  message: string;
  code: string;
  count: number;
}

const THEME_KEY = 'multicrop.theme';
const EXPLAIN_KEY = 'multicrop.explain';
const STALE_PROGRESS_MS = 60_000;

export const useAppStore = defineStore('app', () => {
  const ready = ref(false);
  const info = ref<AppInfo | null>(null);
  const backend = ref<BackendInfo | null>(null);
  const screen = ref<ScreenName>('Dataset');
  const toasts = ref<Toast[]>([]);
  const progress = ref<(ProgressEvent & { seen: number })[]>([]);
  const theme = ref<'light' | 'dark'>(initialTheme());
  /** Every setting's explanation shown under it (instead of only to screen readers and on hover). */
  const explain = ref(typeof localStorage !== 'undefined' && localStorage.getItem(EXPLAIN_KEY) === '1');
  let nextToast = 1;

  function initialTheme(): 'light' | 'dark' {
    const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(THEME_KEY) : null;
    if (saved === 'light' || saved === 'dark') return saved;
    return typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }

  function applyTheme(): void {
    document.documentElement.dataset.theme = theme.value;
    document.documentElement.classList.toggle('explain', explain.value);
  }

  function toggleExplain(): void {
    explain.value = !explain.value;
    localStorage.setItem(EXPLAIN_KEY, explain.value ? '1' : '0');
    applyTheme();
  }

  function toggleTheme(): void {
    theme.value = theme.value === 'dark' ? 'light' : 'dark';
    localStorage.setItem(THEME_KEY, theme.value);
    applyTheme();
  }

  function reportError(error: StudioError, where: string): void {
    const same = toasts.value.find((t) => t.message === error.message);
    if (same) {
      same.count++;
      return;
    }
    const id = nextToast++;
    toasts.value.push({ id, title: titleOf(error.code, where), message: error.message, code: error.code, count: 1 });
    if (toasts.value.length > 5) toasts.value.shift();
    setTimeout(() => dismiss(id), 20_000);
  }

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id);
  }

  function onProgress(p: ProgressEvent): void {
    const now = Date.now();
    const list = progress.value.filter((q) => q.jobId !== p.jobId && now - q.seen < STALE_PROGRESS_MS);
    if (p.total === null || p.done < p.total) list.push({ ...p, seen: now });
    progress.value = list;
  }

  async function init(): Promise<void> {
    applyTheme();
    setFailureSink(reportError);
    await studio();
    ready.value = true;
    await onEvent('progress', onProgress);
    await onEvent('log', (l) => {
      if (l.level === 'error') reportError({ code: 'internal', message: l.message }, 'engine');
    });
    const [i, b] = await Promise.all([callRaw('appInfo', {}), callRaw('backendInfo', {})]);
    if (i.ok) info.value = i.value;
    else reportError(i.error, 'app info');
    // The backend is known once the engine has loaded TensorFlow.js; until then the badge stays hidden.
    if (b.ok) backend.value = b.value;
  }

  function setBackend(b: BackendInfo | null): void {
    if (b) backend.value = { ...b };
  }

  return { ready, info, backend, screen, toasts, progress, theme, explain, init, toggleTheme, toggleExplain, reportError, dismiss, setBackend };
});

function titleOf(code: string, where: string): string {
  const what: Record<string, string> = {
    invalid_request: 'Invalid setting',
    not_found: 'Not found',
    forbidden: 'Not allowed',
    unsupported: 'Not supported here',
    busy: 'Busy',
    bad_input: 'Cannot use this input',
    internal: 'Something failed',
  };
  const doing = ACTIONS[where];
  return doing ? `${what[code] ?? 'Error'}: ${doing}` : (what[code] ?? 'Error');
}

/** What the person was doing, by API method (the method name itself never reaches the page). */
const ACTIONS: Record<string, string> = {
  foldersOpen: 'opening the folder',
  foldersRemove: 'removing the folder',
  foldersList: 'listing the opened folders',
  datasetScan: 'scanning the folder',
  datasetOpenSample: 'preparing the sample dataset',
  datasetPickFolder: 'choosing a folder',
  datasetRecent: 'listing recent folders',
  fsListDir: 'browsing folders',
  augmentPreview: 'drawing the preview',
  augmentStats: 'sampling crop statistics',
  trainStart: 'starting training',
  trainPause: 'pausing training',
  trainResume: 'resuming training',
  trainStop: 'stopping training',
  runsList: 'listing runs',
  runsGet: 'opening the run',
  evalKnn: 'running k-NN',
  evalNeighbours: 'finding neighbours',
  evalAttention: 'drawing attention maps',
  schedulesPreview: 'previewing schedules',
  memoryEstimate: 'estimating memory',
  engine: 'in the engine',
  'app info': 'starting the app',
};
