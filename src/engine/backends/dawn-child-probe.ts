// Asks Dawn for its WebGPU adapter in a short child process, so that Dawn's native diagnostics (rejected Vulkan drivers, XDG_RUNTIME_DIR) land in a captured stderr and never on this process's.
// node:* modules are imported inside the functions: the compute window's browser bundle includes this file but never calls it.

/** The adapter fields the child reports: the shape describeAdapter() reads. */
export interface ChildAdapter {
  info: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  limits: Record<string, number>;
}

export type ChildProbe = { ok: true; adapter: ChildAdapter | null; dawnSaid: string } | { ok: false; why: string };

const LIMIT_KEYS = ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupsPerDimension', 'maxComputeWorkgroupStorageSize'];

/** Plain JavaScript for `node --input-type=module -e`: the same request tfjs-backend-webgpu makes, one JSON line out. */
const CHILD_SOURCE = `
const { create } = await import(process.env.MC_DAWN_MODULE_URL);
const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const keys = ${JSON.stringify(LIMIT_KEYS)};
const out = adapter && {
  info: { vendor: adapter.info?.vendor, architecture: adapter.info?.architecture, device: adapter.info?.device, description: adapter.info?.description,
          isFallbackAdapter: adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter },
  limits: Object.fromEntries(keys.map((k) => [k, Number(adapter.limits[k] ?? 0)])),
};
process.stdout.write(JSON.stringify({ adapter: out }) + '\\n');
process.exit(0);
`;

const TIMEOUT_MS = 30_000;

/** Dawn's stderr in one short clause: its warnings and errors, each once, without C++ source locations or the Wayland runtime-dir complaint (not about adapters). */
export function summariseDawnStderr(stderr: string): string {
  const said: string[] = [];
  for (const raw of stderr.split('\n')) {
    const line = raw.trim().replace(/\.$/, '');
    if (!line || /^at \S+ \(.*\)$/.test(line) || /XDG_RUNTIME_DIR/.test(line)) continue;
    // "- While initializing adapter (...)" qualifies the line before it.
    if (line.startsWith('- ') && said.length) said[said.length - 1] += ` (${line.slice(2)})`;
    else said.push(line.replace(/^(Warning|error):\s*/i, ''));
  }
  const text = [...new Set(said)].join('; ');
  return text.length > 400 ? `${text.slice(0, 400)}...` : text;
}

/** Run the probe with the `webgpu` package at `modulePath` (its index.js); never throws. */
export async function probeDawnInChild(modulePath: string): Promise<ChildProbe> {
  const { spawn } = await import('node:child_process');
  const { pathToFileURL } = await import('node:url');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SOURCE], {
      env: { ...process.env, MC_DAWN_MODULE_URL: pathToFileURL(modulePath).href },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, why: `the WebGPU probe could not start ${process.execPath} (${e.message})` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const dawnSaid = summariseDawnStderr(stderr);
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (code === 0 && line) {
        try {
          const parsed = JSON.parse(line) as { adapter: ChildAdapter | null };
          resolve({ ok: true, adapter: parsed.adapter, dawnSaid });
          return;
        } catch {
          // fall through: reported below as an unreadable answer
        }
      }
      const how = signal === 'SIGKILL' ? `timed out after ${TIMEOUT_MS / 1000} s` : signal ? `died of ${signal}` : `exited with ${code}`;
      resolve({ ok: false, why: `the WebGPU probe (Dawn in a child process) ${how}${dawnSaid ? `: ${dawnSaid}` : ''}` });
    });
  });
}
