// Training state: the live run (status and metric stream from engine events), start/pause/resume/stop, reattach on load, schedule and memory previews, the measured step time.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { MemoryEstimate, MetricRow, SchedulePreview, StepProbe, TrainStatus } from '../../../shared/ipc-contract';
import type { StudioConfig } from '../../../shared/config-schema';
import { call, callRaw, onEvent } from '../lib/api-client';
import { plain } from '../lib/plain';
import { useAppStore } from './app-store';

const NOTICE_LIMIT = 50;
const ACTIVE: TrainStatus['state'][] = ['starting', 'running', 'pausing', 'paused', 'stopping'];

export const useTrainingStore = defineStore('training', () => {
  const app = useAppStore();
  const status = shallowRef<TrainStatus | null>(null);
  const metrics = shallowRef<MetricRow[]>([]);
  /** Warnings of the run (an image that could not be read, a collapse warning), newest last, at most NOTICE_LIMIT. */
  const notices = ref<string[]>([]);
  const config = shallowRef<StudioConfig | null>(null);
  const schedules = shallowRef<SchedulePreview | null>(null);
  const memory = shallowRef<MemoryEstimate | null>(null);
  const memoryError = ref<string | null>(null);
  const schedulesError = ref<string | null>(null);
  const pending = ref<'start' | 'pause' | 'resume' | 'stop' | null>(null);
  /** The measured time of one step of the config on screen (train:probe), or why there is none. */
  const probe = shallowRef<StepProbe | null>(null);
  const probeError = ref<string | null>(null);
  const probing = ref(false);
  let probeGen = 0;
  let subscribed = false;
  let schedulesGen = 0;
  let memoryGen = 0;

  const active = computed(() => !!status.value && ACTIVE.includes(status.value.state));
  const runId = computed(() => status.value?.runId ?? null);

  function onStatus(s: TrainStatus): void {
    if (status.value && s.runId !== status.value.runId && !ACTIVE.includes(s.state)) return;
    // An answer that crossed a newer event on the way (same run, earlier step) must not move the progress back.
    if (status.value && s.runId === status.value.runId && s.step < status.value.step && s.state === status.value.state) return;
    if (!status.value || s.runId !== status.value.runId) {
      metrics.value = [];
      if (status.value) notices.value = [];
    }
    status.value = Object.freeze({ ...s }) as TrainStatus;
    app.setBackend(s.backend);
  }

  function onMetrics(p: { runId: string; row: MetricRow }): void {
    if (status.value && p.runId !== status.value.runId) return;
    const rows = metrics.value;
    if (rows.length && rows[rows.length - 1]!.step >= p.row.step) return;
    // A new array each time: charts receive it as a prop, and a mutated array with the same identity would not update them.
    metrics.value = [...rows, Object.freeze({ ...p.row }) as MetricRow];
  }

  /** Subscribe to the engine's training events, and reattach to a run that is still going (after a reload or a closed window). */
  async function init(): Promise<void> {
    if (subscribed) return;
    subscribed = true;
    await onEvent('train:status', onStatus);
    await onEvent('train:metrics', onMetrics);
    await onEvent('log', (l) => {
      if (l.level !== 'warn' || notices.value.includes(l.message)) return;
      notices.value = [...notices.value, l.message].slice(-NOTICE_LIMIT);
    });
    const r = await callRaw('trainStatus', {});
    if (r.ok && r.value) {
      onStatus(r.value);
      await loadRun(r.value.runId);
    }
  }

  async function loadRun(id: string): Promise<void> {
    const d = await call('runsGet', { runId: id });
    if (!d || status.value?.runId !== id) return;
    // The stored metrics are authoritative up to their last step; live rows that arrived meanwhile follow them.
    const last = d.metrics.length ? d.metrics[d.metrics.length - 1]!.step : -1;
    metrics.value = d.metrics.concat(metrics.value.filter((r) => r.step > last));
    config.value = d.config;
  }

  /** Start a run; a second Start while one is in flight (a double click, Enter and a click) or while a run goes does nothing. */
  async function start(dataset: string, cfg: StudioConfig): Promise<void> {
    if (pending.value !== null || active.value) return;
    pending.value = 'start';
    try {
      const s = await call('trainStart', { dataset, config: plain(cfg) });
      if (s) {
        // Events of the new run may have arrived before this answer: onStatus resets the curves only for a different run.
        config.value = plain(cfg);
        onStatus(s);
      }
    } finally {
      pending.value = null;
    }
  }

  async function control(action: 'pause' | 'resume' | 'stop', id = runId.value): Promise<void> {
    if (!id) return;
    pending.value = action;
    try {
      const method = action === 'pause' ? 'trainPause' : action === 'resume' ? 'trainResume' : 'trainStop';
      const s = await call(method, { runId: id });
      if (s) {
        if (action === 'resume' && status.value?.runId !== s.runId) {
          status.value = null;
          metrics.value = [];
        }
        onStatus(s);
        if (action === 'resume') await loadRun(s.runId);
      }
    } finally {
      pending.value = null;
    }
  }

  async function previewSchedules(cfg: StudioConfig, datasetSize: number): Promise<void> {
    const gen = ++schedulesGen;
    const r = await callRaw('schedulesPreview', { config: plain(cfg), datasetSize, points: 300 });
    if (gen !== schedulesGen) return;
    schedules.value = r.ok ? (Object.freeze(r.value) as SchedulePreview) : null;
    schedulesError.value = r.ok ? null : r.error.message;
  }

  /** The memory model's estimate; hidden entirely when the engine answers 'unsupported'. */
  async function estimateMemory(cfg: StudioConfig): Promise<void> {
    const gen = ++memoryGen;
    const r = await callRaw('memoryEstimate', { config: plain(cfg) });
    if (gen !== memoryGen) return;
    if (r.ok) {
      memory.value = Object.freeze(r.value) as MemoryEstimate;
      memoryError.value = null;
    } else {
      memory.value = null;
      memoryError.value = r.error.code === 'unsupported' ? null : r.error.message;
    }
  }

  /** Time a couple of real steps of the config in the engine (answered from its cache when measured before). */
  async function measureStep(cfg: StudioConfig): Promise<void> {
    const gen = ++probeGen;
    probing.value = true;
    probe.value = null;
    probeError.value = null;
    const r = await callRaw('trainProbe', { config: plain(cfg) });
    if (gen !== probeGen) return;
    probing.value = false;
    probe.value = r.ok ? (Object.freeze(r.value) as StepProbe) : null;
    // 'busy': a run started meanwhile; the Training screen times the settings again once it ends.
    probeError.value = r.ok || r.error.code === 'busy' ? null : r.error.message;
  }

  return {
    status,
    metrics,
    notices,
    config,
    schedules,
    schedulesError,
    memory,
    memoryError,
    probe,
    probeError,
    probing,
    pending,
    active,
    runId,
    init,
    loadRun,
    start,
    control,
    previewSchedules,
    estimateMemory,
    measureStep,
  };
});
