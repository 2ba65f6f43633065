// The one IPC contract: every channel's request schema and response type, and every event the engine pushes.
import { z } from 'zod';
import { configSchema, augmentConfigSchema, type StudioConfig, type AugmentConfig } from './config-schema';

// ---------- envelopes ----------
export type ErrorCode =
  | 'invalid_request'
  | 'not_found'
  | 'forbidden'
  | 'unsupported'
  | 'busy'
  | 'bad_input'
  | 'exists'
  | 'cancelled'
  | 'internal';

export interface StudioError {
  code: ErrorCode;
  message: string;
}
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: StudioError };

// ---------- shared value types ----------
const path = () => z.string().min(1).max(4096);
const runId = () => z.string().regex(/^[A-Za-z0-9._-]{1,128}$/);
const seed = () => z.number().int().min(0).max(2 ** 31 - 1);

export type BackendName = 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

/** A WebGPU adapter as the engine shows it (Dawn under Node, or a Chromium window's navigator.gpu). */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  /** A software rasteriser (SwiftShader, lavapipe, a fallback adapter): for tests; 'auto' never chooses it. */
  software: boolean;
  via: 'dawn-node' | 'chromium';
  /** Bytes. tfjs asks for the adapter's own limits, so these bound every tensor's buffer. */
  limits: {
    maxBufferSize: number;
    maxStorageBufferBindingSize: number;
    maxComputeWorkgroupsPerDimension: number;
    maxComputeWorkgroupStorageSize: number;
  };
}

/** Attention layout of the ViT ('pairs': 2-D matMuls per image and head; 'batched': batched matMuls; 'fused': one loop kernel per layer). */
export type AttentionLayout = 'pairs' | 'batched' | 'fused';

export interface BackendInfo {
  name: BackendName;
  /** Why this backend was chosen, and why earlier candidates were passed over. */
  reason: string;
  /** The ViT attention layout this backend runs. */
  attention: AttentionLayout;
  /** Same inputs give bit-identical results (GPU reductions may not). */
  deterministic: boolean;
  /** Where its tensors live: process memory, the wasm heap, or GPU buffers. */
  memory: 'host' | 'wasm-heap' | 'gpu';
  /** The WebGPU adapter (webgpu only). */
  adapter: AdapterInfo | null;
}

export interface AppInfo {
  version: string;
  mode: 'electron' | 'web';
  platform: string;
  dataDir: string;
  runsDir: string;
  sampleDatasetDir: string;
  canPickFolder: boolean;
}

export interface DirListing {
  path: string;
  parent: string | null;
  entries: { name: string; path: string; isDir: boolean }[];
}

export interface ImageEntry {
  path: string; // absolute
  rel: string; // relative to the dataset root
  label: string | null; // class folder name in ImageFolder layout
  width: number;
  height: number;
  format: string;
}
export type SkipReason = 'empty' | 'not an image' | 'truncated' | 'too many pixels' | 'unreadable' | 'symlink loop' | 'outside folder';
export interface SkippedFile {
  path: string;
  reason: SkipReason;
  detail?: string;
}
export interface ScanResult {
  root: string;
  layout: 'imagefolder' | 'flat';
  classes: { name: string; count: number }[];
  images: ImageEntry[];
  skipped: SkippedFile[];
  seconds: number;
}

/** The folders the person opened (newest first): the only places, with the runs folder, a page may name paths in. */
export interface OpenedFolders {
  folders: string[];
  /** Always readable (run checkpoints and exports); not removable. */
  runsDir: string;
}

export interface CropBox {
  x: number; // left, source pixels (after EXIF orientation)
  y: number;
  w: number;
  h: number;
}
export interface ViewOps {
  flip: boolean;
  jitter: null | {
    order: ('brightness' | 'contrast' | 'saturation' | 'hue')[];
    brightness: number;
    contrast: number;
    saturation: number;
    hue: number;
  };
  grayscale: boolean;
  blurSigma: number | null;
  solarize: boolean;
  fallback: boolean; // RandomResizedCrop fell back to the centre crop
}
export type ViewKind = 'global' | 'local';
export interface PreviewView {
  name: string; // 'global 1', 'global 2', 'local 1', ...
  kind: ViewKind;
  size: number;
  box: CropBox;
  ops: ViewOps;
  png: string; // data URL of the denormalised view: image/jpeg from augment:preview, image/png from the preview CLI
}
export interface PreviewResult {
  image: string;
  width: number;
  height: number;
  seed: number;
  views: PreviewView[];
  ms: number;
}
export interface BoxStats {
  samples: number;
  perView: {
    kind: ViewKind | 'global 1' | 'global 2';
    areaFractions: number[];
    logAspects: number[];
    centres: [number, number][]; // normalised 0..1
    fallbackRate: number;
  }[];
}

/** 'pausing': asked to pause, finishing the step in flight (then 'paused' at the loop's gate). The loop is the only source of these. */
export type TrainState = 'starting' | 'running' | 'pausing' | 'paused' | 'stopping' | 'stopped' | 'finished' | 'failed';
export interface MetricRow {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  wd: number;
  momentum: number;
  teacherTemp: number;
  teacherEntropy: number;
  klTeacherStudent: number;
  centerNorm: number;
  batchMeanEntropy: number;
  imagesPerSec: number;
  loaderWaitMs: number;
  stepMs: number;
  rssMb: number;
  numTensors: number;
  time: number; // unix ms
  /**
   * k-NN during training (online evaluation, on the rows where it ran): the teacher at step `knnStep` (0 on the first
   * row: the baseline measured before the first update), top-1 and top-5 as fractions (top-5 null under 5 classes),
   * its cost in seconds, and where masks exist, the share of the last block's CLS attention on the objects (mean
   * over heads, per head) next to the objects' share of the image.
   */
  knnStep?: number;
  knnTop1?: number;
  /** Distinct images that could not be read during training so far (each reported once in the run log and the UI). */
  decodeFailures?: number;
  knnTop5?: number | null;
  knnSeconds?: number;
  attnObjectShare?: number;
  attnObjectShareHeads?: number[];
  attnObjectBaseline?: number;
}
export interface CollapseWarning {
  kind: 'uniform' | 'one-dimension';
  message: string; // what happened and what to change
  step: number;
}
export interface TrainStatus {
  runId: string;
  runDir: string;
  state: TrainState;
  step: number;
  epoch: number;
  totalSteps: number;
  stepsPerEpoch: number;
  imagesPerSec: number;
  etaSeconds: number | null;
  backend: BackendInfo | null;
  warning: CollapseWarning | null;
  error: string | null;
}
export interface RunSummary {
  runId: string;
  runDir: string;
  createdAt: string;
  dataset: string;
  state: TrainState;
  step: number;
  totalSteps: number;
  lastLoss: number | null;
  arch: string;
  checkpoints: number;
}
export interface CheckpointInfo {
  name: string;
  step: number;
  epoch: number;
  createdAt: string;
}
export interface RunDetail {
  summary: RunSummary;
  config: StudioConfig;
  metrics: MetricRow[];
  checkpoints: CheckpointInfo[];
}
export interface SchedulePreview {
  stepsPerEpoch: number;
  totalSteps: number;
  lr: number[];
  wd: number[];
  momentum: number[];
  teacherTemp: number[];
  every: number; // one point every `every` iterations
}
export interface MemoryEstimate {
  parametersMb: number;
  optimizerMb: number;
  teacherMb: number;
  activationsMb: number;
  loaderMb: number;
  /** Parameter gradients (plus the accumulation buffer with accumulate > 1). */
  gradientsMb: number;
  /** The engine process itself: Node, V8, tfjs, sharp and the loader's worker threads. */
  runtimeMb: number;
  /** The backend the estimate is for ('webgpu', 'wasm', 'cpu', 'tensorflow'). */
  backend: string;
  /** webgpu: MB of tensors in GPU buffers (parameters, teacher, AdamW state, gradients, activations). */
  gpuMb?: number;
  /** webgpu: the largest single buffer a step allocates (MB) and the adapter's limit for one buffer (MB). */
  largestBufferMb?: number;
  bufferLimitMb?: number;
  /** webgpu: the adapter the estimate was checked against, e.g. "nvidia hopper (NVIDIA H200)". */
  adapter?: string;
  totalMb: number;
  availableMb: number;
  fits: boolean;
  largestBatch: number;
  advice: string | null;
}
/** 'train:probe': the time of a real training step of a config, measured on a short probe (cached per config). */
export interface StepProbe {
  /** Milliseconds per optimizer update at the config's batch (scaled from the measured batch when smaller). */
  msPerStep: number;
  imagesPerSec: number;
  /** The batch the steps were timed at (at most the config's; the time is scaled linearly to its batch). */
  measuredBatch: number;
  batchSize: number;
  /** Timed steps (after one warm-up step that is not counted). */
  steps: number;
  backend: string;
  /** True when this config's probe was measured earlier in this engine. */
  cached: boolean;
}
export interface KnnResult {
  top1: number;
  top5: number | null;
  k: number;
  train: number;
  val: number;
  perClass: { name: string; count: number; top1: number }[];
  checkpoint: string;
  /** The step of the evaluated weights (a run's checkpoint or its initial weights); null for a weights file. */
  step?: number | null;
  /** For a run: the step-0 result with the same folders and k (kept, or computed now); null for a weights file. */
  baseline?: EvaluationRecord | null;
}
/** One kept k-NN evaluation of a run (<run>/evaluations.jsonl). */
export interface EvaluationRecord {
  time: number; // unix ms
  step: number;
  /** Checkpoint folder name, or 'initial weights' (rebuilt from the run's config and seed). */
  checkpoint: string;
  k: number;
  top1: number;
  top5: number | null;
  train: number;
  val: number;
  trainDir: string;
  valDir: string;
  perClass: { name: string; count: number; top1: number }[];
}
export interface EvaluationHistory {
  runId: string;
  records: EvaluationRecord[];
}
export interface NeighbourResult {
  query: string;
  neighbours: { path: string; label: string | null; similarity: number }[];
}
export interface AttentionResult {
  image: string;
  heads: number;
  gridW: number;
  gridH: number;
  maps: number[][]; // [head][patch], CLS-to-patch attention
  overlays: string[]; // data:image/png per head, upsampled onto the image
  thresholded: string[]; // data:image/png per head, threshold view
  threshold: number;
  /** Where the image has an object mask (`<folder>-masks/...png`, as the sample writes): the attention on the object. */
  onObject?: AttentionOnObject | null;
  /** The same for the run's step-0 checkpoint (the network at initialisation), when the model is a later checkpoint of a run. */
  onObjectAtStep0?: AttentionOnObject | null;
}
export interface AttentionOnObject {
  /** Share of the CLS attention (renormalised over the patches) weighted by each patch's object coverage, mean over heads. */
  mean: number;
  perHead: number[];
  /** The object's share of the patches: what attention spread evenly would give. */
  objectShare: number;
  mask: string;
}
export interface ExportResult {
  /** Where it was written: inside the run's exports/ folder, unless the CLI named a file. */
  out: string;
  /** Its file name (what a download is called). */
  file: string;
  bytes: number;
  format: 'safetensors' | 'torchrun';
  /** safetensors: whose backbone it holds. */
  network: 'teacher' | 'student' | null;
  /** The checkpoint it came from (null: the torchrun command of the run's config). */
  checkpoint: string | null;
  /** torchrun: the command itself, to show and copy. */
  command: string | null;
}
/** The desktop save dialog's outcome: where the person saved the export (null: they cancelled), and the export. */
export interface SavedExport {
  saved: string | null;
  result: ExportResult;
}

const evalSource = z.union([
  z.strictObject({ runId: runId(), checkpoint: z.string().max(256).optional() }),
  // The run's step-0 weights rebuilt from its config and seed (for a baseline when its step-0 checkpoint is gone).
  z.strictObject({ runId: runId(), initial: z.literal(true) }),
  z.strictObject({ weights: path() }),
]);

// ---------- channels ----------
/** Every channel: its zod request schema. Responses are typed in ChannelResponses. */
export const requestSchemas = {
  'app:info': z.strictObject({}),
  'backend:info': z.strictObject({}),
  'fs:listDir': z.strictObject({ path: path() }),
  'dataset:pickFolder': z.strictObject({}),
  'dataset:openSample': z.strictObject({}),
  'dataset:recent': z.strictObject({}),
  'dataset:scan': z.strictObject({ path: path(), maxPixels: z.number().int().positive().optional() }),
  // Stop a scan in progress (its progress events' jobId; without one, every scan): it fails with 'cancelled'.
  'dataset:cancelScan': z.strictObject({ jobId: z.string().max(64).optional() }),
  'folders:open': z.strictObject({ path: path() }),
  'folders:list': z.strictObject({}),
  'folders:remove': z.strictObject({ path: path() }),
  'augment:preview': z.strictObject({ image: path(), config: augmentConfigSchema, seed: seed() }),
  'augment:stats': z.strictObject({
    config: augmentConfigSchema,
    seed: seed(),
    samples: z.number().int().min(1).max(20000),
    width: z.number().int().min(1).max(100000),
    height: z.number().int().min(1).max(100000),
  }),
  'config:validate': z.strictObject({ config: z.record(z.string(), z.unknown()) }),
  'schedules:preview': z.strictObject({ config: configSchema, datasetSize: z.number().int().min(1), points: z.number().int().min(2).max(5000) }),
  'memory:estimate': z.strictObject({ config: configSchema }),
  'train:probe': z.strictObject({ config: configSchema }),
  'train:start': z.strictObject({ dataset: path(), config: configSchema, name: z.string().max(128).optional() }),
  'train:pause': z.strictObject({ runId: runId() }),
  'train:resume': z.strictObject({ runId: runId() }),
  'train:stop': z.strictObject({ runId: runId() }),
  'train:status': z.strictObject({}),
  'runs:list': z.strictObject({}),
  'runs:get': z.strictObject({ runId: runId() }),
  'eval:knn': z.strictObject({ source: evalSource, train: path(), val: path(), k: z.number().int().min(1).max(1000) }),
  'eval:neighbours': z.strictObject({ source: evalSource, train: path(), image: path(), k: z.number().int().min(1).max(100) }),
  'eval:attention': z.strictObject({ source: evalSource, image: path(), threshold: z.number().min(0).max(1) }),
  'eval:history': z.strictObject({ runId: runId() }),
  // Writes into the run's exports/ folder only (no path from a page); an existing file needs replace: true (the person confirmed).
  'export:run': z.strictObject({
    runId: runId(),
    checkpoint: z.string().max(256).optional(),
    format: z.enum(['safetensors', 'torchrun']),
    network: z.enum(['teacher', 'student']).optional(),
    includeHead: z.boolean().optional(),
    replace: z.boolean().optional(),
  }),
  // Desktop only: the main process exports into the run folder, then shows a save dialog and copies the file where the person chose.
  'export:save': z.strictObject({
    runId: runId(),
    checkpoint: z.string().max(256).optional(),
    format: z.enum(['safetensors', 'torchrun']),
    network: z.enum(['teacher', 'student']).optional(),
    includeHead: z.boolean().optional(),
  }),
} as const;

export type Channel = keyof typeof requestSchemas;
export type ChannelRequest<C extends Channel> = z.infer<(typeof requestSchemas)[C]>;

/** Response type of every channel; the `satisfies` below makes a missing channel a compile error. */
export interface ChannelResponses {
  'app:info': AppInfo;
  'backend:info': BackendInfo;
  'fs:listDir': DirListing;
  'dataset:pickFolder': string | null;
  'dataset:openSample': string;
  'dataset:recent': string[];
  'dataset:scan': ScanResult;
  'dataset:cancelScan': { cancelled: number };
  'folders:open': OpenedFolders;
  'folders:list': OpenedFolders;
  'folders:remove': OpenedFolders;
  'augment:preview': PreviewResult;
  'augment:stats': BoxStats;
  'config:validate': { ok: true; config: StudioConfig } | { ok: false; errors: string[] };
  'schedules:preview': SchedulePreview;
  'memory:estimate': MemoryEstimate;
  'train:probe': StepProbe;
  'train:start': TrainStatus;
  'train:pause': TrainStatus;
  'train:resume': TrainStatus;
  'train:stop': TrainStatus;
  'train:status': TrainStatus | null;
  'runs:list': RunSummary[];
  'runs:get': RunDetail;
  'eval:knn': KnnResult;
  'eval:neighbours': NeighbourResult;
  'eval:attention': AttentionResult;
  'eval:history': EvaluationHistory;
  'export:run': ExportResult;
  'export:save': SavedExport;
}
export type ChannelResponse<C extends Channel> = ChannelResponses[C];

// Compile-time proof that schemas and responses cover the same channels.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
export const CHANNELS_COVERED: SameKeys<typeof requestSchemas, ChannelResponses> = true;

/** Channels the Electron main process answers itself (dialogs, app paths); everything else goes to the engine. */
export const MAIN_ONLY_CHANNELS = ['dataset:pickFolder', 'export:save'] as const satisfies readonly Channel[];

// ---------- events pushed by the engine ----------
export interface ProgressEvent {
  jobId: string;
  label: string; // 'Scanning /data/x', 'Generating sample dataset', 'k-NN: extracting features'
  done: number;
  total: number | null;
}
export interface EngineEvents {
  progress: ProgressEvent;
  'train:metrics': { runId: string; row: MetricRow };
  'train:status': TrainStatus;
  log: { level: 'info' | 'warn' | 'error'; message: string; time: number };
}
export type EventName = keyof EngineEvents;
export const EVENT_NAMES: readonly EventName[] = ['progress', 'train:metrics', 'train:status', 'log'];

// ---------- the typed API the renderer sees (window.studio) ----------
/** Channel 'dataset:scan' -> method name 'datasetScan'. */
type MethodName<C extends string> = C extends `${infer A}:${infer B}` ? `${A}${Capitalize<B>}` : C;
export type StudioApi = {
  [C in Channel as MethodName<C>]: (req: ChannelRequest<C>) => Promise<Envelope<ChannelResponse<C>>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void;
  /** URL under which the renderer may load an image from an opened folder (custom protocol or web host route). */
  imageUrl(absPath: string, width?: number): string;
};

export function methodName(channel: Channel): string {
  const [a, b] = channel.split(':') as [string, string];
  return a + b.charAt(0).toUpperCase() + b.slice(1);
}
export const CHANNELS = Object.keys(requestSchemas) as Channel[];

/** Shorten text from a hostile request (a 100 KB key name would otherwise be echoed back in full). */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length - max} more characters)`;
}

/** Validate a request at a boundary; never throws. */
export function parseRequest<C extends Channel>(channel: C, raw: unknown): Envelope<ChannelRequest<C>> {
  const schema = requestSchemas[channel];
  if (!schema) return { ok: false, error: { code: 'invalid_request', message: `unknown channel ${String(channel)}` } };
  const r = schema.safeParse(raw);
  if (!r.success) {
    const msg = r.error.issues
      .slice(0, 5)
      .map((i) => clip(`${i.path.join('.') || '(request)'}: ${i.message}`, 300))
      .join('; ');
    return { ok: false, error: { code: 'invalid_request', message: `${channel}: ${msg}` } };
  }
  return { ok: true, value: r.data as ChannelRequest<C> };
}

export type { StudioConfig, AugmentConfig };
