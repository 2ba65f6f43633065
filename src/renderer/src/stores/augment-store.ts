// Augmentation lab state: the live preview of one image (latest-wins, stale answers dropped), box statistics, the batch grid, and measured redraw latency.
import { defineStore } from 'pinia';
import { computed, nextTick, ref, shallowRef } from 'vue';
import type { BoxStats, PreviewResult } from '../../../shared/ipc-contract';
import { call, callRaw } from '../lib/api-client';
import { useConfigStore } from './config-store';
import { useDatasetStore } from './dataset-store';

const LATENCY_WINDOW = 200;
const STATS_SAMPLES = 2000;
const BATCH_IMAGES = 6;

function percentile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

function frame(): Promise<void> {
  return new Promise((r) => requestAnimationFrame(() => r()));
}

export const useAugmentStore = defineStore('augment', () => {
  const configStore = useConfigStore();
  const dataset = useDatasetStore();

  const seed = ref(1);
  const preview = shallowRef<PreviewResult | null>(null);
  const previewError = ref<string | null>(null);
  const busy = ref(false);
  const stats = shallowRef<BoxStats | null>(null);
  const batch = shallowRef<PreviewResult[]>([]);
  const batchBusy = ref(false);
  const latencies = ref<number[]>([]);
  const redraws = ref(0);
  /** Of the last redraw: ms waiting for the engine's answer (request sent to answer parsed). */
  const lastRoundTrip = ref<number | null>(null);

  let generation = 0; // bumped on every change; an answer for an older generation is stale
  let changedAt = 0;
  let inFlight = false;
  let statsGeneration = 0;

  const latencyP50 = computed(() => percentile(latencies.value, 0.5));
  const latencyP95 = computed(() => percentile(latencies.value, 0.95));
  const lastLatency = computed(() => latencies.value[latencies.value.length - 1] ?? null);

  /** A person changed something (the latency clock starts here, before any debounce). */
  function touch(): void {
    if (!changedAt) changedAt = performance.now();
  }

  /** Something the preview depends on changed: redraw with the latest state (coalescing changes made while a request runs). */
  function changed(): void {
    generation++;
    touch();
    void pump();
  }

  async function pump(): Promise<void> {
    if (inFlight) return;
    const image = dataset.selectedImage;
    if (!image || !configStore.augmentValid) {
      changedAt = 0;
      return;
    }
    inFlight = true;
    busy.value = true;
    const gen = generation;
    try {
      const sentAt = performance.now();
      const r = await callRaw('augmentPreview', { image, config: configStore.augment(), seed: seed.value });
      const roundTrip = performance.now() - sentAt;
      if (gen !== generation) return; // stale: a newer change is waiting (handled in finally)
      if (!r.ok) {
        previewError.value = r.error.message;
        changedAt = 0;
        return;
      }
      previewError.value = null;
      preview.value = Object.freeze(r.value) as PreviewResult;
      await nextTick();
      await frame();
      if (changedAt) {
        const ms = performance.now() - changedAt;
        latencies.value = [...latencies.value.slice(-(LATENCY_WINDOW - 1)), ms];
      }
      lastRoundTrip.value = roundTrip;
      redraws.value++;
      changedAt = 0;
    } finally {
      inFlight = false;
      busy.value = false;
      if (gen !== generation) void pump();
    }
  }

  async function refreshStats(): Promise<void> {
    if (!configStore.augmentValid) return;
    const gen = ++statsGeneration;
    const img = dataset.scan?.images.find((i) => i.path === dataset.selectedImage);
    const r = await call('augmentStats', {
      config: configStore.augment(),
      seed: seed.value,
      samples: STATS_SAMPLES,
      width: img?.width ?? 640,
      height: img?.height ?? 480,
    });
    if (r && gen === statsGeneration) stats.value = Object.freeze(r) as BoxStats;
  }

  async function refreshBatch(): Promise<void> {
    const images = dataset.scan?.images ?? [];
    if (images.length === 0 || !configStore.augmentValid) return;
    batchBusy.value = true;
    // The chosen image, then images spread over the whole dataset (so every class shows up in ImageFolder order).
    const start = Math.max(0, images.findIndex((i) => i.path === dataset.selectedImage));
    const stride = Math.max(1, Math.floor(images.length / BATCH_IMAGES));
    const picks = Array.from({ length: Math.min(BATCH_IMAGES, images.length) }, (_, i) => images[(start + i * stride) % images.length]!);
    const out: PreviewResult[] = [];
    try {
      for (const [i, img] of picks.entries()) {
        const r = await call('augmentPreview', { image: img.path, config: configStore.augment(), seed: (seed.value + i) % 2 ** 31 });
        if (!r) break;
        out.push(r);
      }
      batch.value = out;
    } finally {
      batchBusy.value = false;
    }
  }

  function reseed(): void {
    seedError.value = null;
    seed.value = Math.floor(Math.random() * 2 ** 31);
    changed();
  }

  /** Why the typed seed cannot be used (shown beside the field), or null. */
  const seedError = ref<string | null>(null);
  /** The seed as typed: a value the engine cannot use is named, not silently ignored. */
  function setSeed(raw: string): void {
    const text = raw.trim();
    const v = Number(text);
    if (text === '' || !Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) {
      seedError.value = `The seed must be a whole number from 0 to ${2 ** 31 - 1}${text === '' ? ' (the field is empty)' : ` (you typed ${text.slice(0, 40)})`}; the previews keep seed ${seed.value}`;
      return;
    }
    seedError.value = null;
    seed.value = v;
    changed();
  }

  return {
    seed,
    seedError,
    preview,
    previewError,
    busy,
    stats,
    batch,
    batchBusy,
    latencies,
    redraws,
    lastRoundTrip,
    latencyP50,
    latencyP95,
    lastLatency,
    touch,
    changed,
    refreshStats,
    refreshBatch,
    reseed,
    setSeed,
  };
});
