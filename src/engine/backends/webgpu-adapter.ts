// Finds the WebGPU adapter of this process once and describes it: the page's own navigator.gpu in a browser window, else Dawn (the optional `webgpu` package) under Node, asked in a child process first.
import type { AdapterInfo } from '../../shared/ipc-contract';
import { probeDawnInChild } from './dawn-child-probe';

/** Minimal shapes of the WebGPU objects read here (the `webgpu` package ships no DOM types into this project). */
interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
  limits: Record<string, number>;
}
interface GpuLike {
  requestAdapter(opts?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

/** An adapter found (its description; `gpu()` gives the navigator.gpu object tfjs-backend-webgpu uses) or why none. */
export type AdapterProbe = { ok: true; adapter: AdapterInfo; gpu(): Promise<GpuLike> } | { ok: false; why: string };

/** Software rasterisers: fine for proving correctness, never what a person means by "the GPU". */
const SOFTWARE = /swiftshader|lavapipe|llvmpipe|softpipe|software|basic render driver|warp/i;

/** The parts of a WebGPU adapter the engine shows and checks against (tfjs asks for the adapter's own limits). */
export function describeAdapter(a: GpuAdapterLike, via: AdapterInfo['via']): AdapterInfo {
  const i = a.info ?? {};
  const isFallbackAdapter = Boolean(i.isFallbackAdapter ?? a.isFallbackAdapter);
  const text = [i.vendor, i.architecture, i.device, i.description].join(' ');
  const limit = (k: string) => Number(a.limits[k] ?? 0);
  return {
    vendor: i.vendor ?? '',
    architecture: i.architecture ?? '',
    device: i.device ?? '',
    description: i.description ?? '',
    isFallbackAdapter,
    software: isFallbackAdapter || SOFTWARE.test(text),
    via,
    limits: {
      maxBufferSize: limit('maxBufferSize'),
      maxStorageBufferBindingSize: limit('maxStorageBufferBindingSize'),
      maxComputeWorkgroupsPerDimension: limit('maxComputeWorkgroupsPerDimension'),
      maxComputeWorkgroupStorageSize: limit('maxComputeWorkgroupStorageSize'),
    },
  };
}

/** "google swiftshader (SwiftShader driver 5.0.0)": vendor, architecture and description, whichever are known. */
export function adapterLabel(a: AdapterInfo): string {
  const head = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
  const desc = a.description || a.device;
  return desc ? `${head} (${desc})` : head;
}

let probe: Promise<AdapterProbe> | null = null;

const NO_ADAPTER =
  'Dawn found no WebGPU adapter (it needs a Vulkan, Metal or Direct3D 12 driver that supports WebGPU: install or update the GPU driver; on Linux the Vulkan one, e.g. the NVIDIA driver or mesa-vulkan-drivers)';

/** Where the `webgpu` package (Dawn for Node) is installed, or null (node:module imported here so this file also loads in a window). */
async function dawnModulePath(): Promise<string | null> {
  const { createRequire } = await import('node:module');
  try {
    return createRequire(import.meta.url).resolve('webgpu');
  } catch {
    return null;
  }
}

let dawn: Promise<GpuLike> | null = null;

/** Dawn in this process, loaded only once a child process has found an adapter that will be used. */
function dawnInProcess(): Promise<GpuLike> {
  dawn ??= (async () => {
    const mod = (await import(/* @vite-ignore */ 'webgpu')) as unknown as { create(opts: string[]): GpuLike; globals: object };
    // GPUBufferUsage, GPUMapMode, GPUShaderStage... are globals in a browser; tfjs-backend-webgpu reads them there.
    Object.assign(globalThis, mod.globals);
    return mod.create([]);
  })();
  return dawn;
}

async function probeOnce(): Promise<AdapterProbe> {
  const own = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (own) {
    // A browser or Electron window: its WebGPU is Chromium's (Dawn inside the GPU process).
    const adapter = await own.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { ok: false, why: "this window's navigator.gpu offered no adapter (WebGPU disabled or no usable GPU driver)" };
    return { ok: true, adapter: describeAdapter(adapter, 'chromium'), gpu: () => Promise.resolve(own) };
  }
  if (typeof process === 'undefined') return { ok: false, why: 'this window has no navigator.gpu (WebGPU needs a secure context and a browser that enables it)' };
  if (process.versions.electron) {
    return {
      ok: false,
      why: "Dawn's Node addon does not run inside Electron's Node processes (\"External buffers are not allowed\"); the desktop app's WebGPU lives in its windows",
    };
  }
  const modulePath = await dawnModulePath();
  if (!modulePath) return { ok: false, why: 'the webgpu package (Dawn for Node, an optional dependency) is not installed: npm install webgpu@0.6.2' };
  // Dawn prints its driver diagnostics on the native stderr: ask in a child process, whose stderr is captured.
  const child = await probeDawnInChild(modulePath);
  if (!child.ok) return { ok: false, why: child.why };
  if (!child.adapter) return { ok: false, why: child.dawnSaid ? `${NO_ADAPTER}; Dawn said: ${child.dawnSaid}` : NO_ADAPTER };
  return { ok: true, adapter: describeAdapter(child.adapter, 'dawn-node'), gpu: dawnInProcess };
}

/** The adapter of this process (probed once; under Node the `webgpu` package loads in this process only through the probe's gpu()). */
export function probeWebGpuAdapter(): Promise<AdapterProbe> {
  probe ??= probeOnce().catch((e: unknown) => ({ ok: false as const, why: `probing WebGPU failed (${(e as Error).message})` }));
  return probe;
}

/** Make `navigator.gpu` what a browser has (Node 21+ defines a navigator without gpu; Node 20 none). */
export function installNavigatorGpu(gpu: unknown): void {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu === gpu) return;
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, enumerable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}
