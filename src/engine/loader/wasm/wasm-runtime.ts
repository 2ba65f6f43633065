// Instantiates the loader's WebAssembly kernels once per thread over one shared memory; null without WebAssembly SIMD.
//
// Every kernel module imports the same per-thread memory, so a view can be cropped, coloured, blurred and normalised
// in place: the decoded source is copied in once per image (at offset 0) and each finished view copied out once.

/** The slice of the WebAssembly API used here (the Node-side TypeScript lib has no WebAssembly declarations). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const WASM = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let memory: WasmMemory | null | undefined;

/** This thread's kernel memory (created on first use), or null without WebAssembly. */
export function threadMemory(): WasmMemory | null {
  if (memory === undefined) {
    try {
      memory = WASM ? new WASM.Memory({ initial: 1 }) : null;
    } catch {
      memory = null;
    }
  }
  return memory;
}

/** The exports of the module in `base64` bound to this thread's memory, or null if it cannot be compiled here. */
export function instantiate<T>(base64: string): T | null {
  try {
    const mem = threadMemory();
    if (!WASM || !mem) return null;
    return new WASM.Instance(new WASM.Module(Buffer.from(base64, 'base64')), { env: { memory: mem } }).exports as T;
  } catch {
    return null;
  }
}

/** Grow `mem` to at least `bytes` (growing keeps the contents; views of the old buffer must be re-created). */
export function ensureMemory(mem: WasmMemory, bytes: number): void {
  const have = mem.buffer.byteLength;
  if (bytes > have) mem.grow(Math.ceil((bytes - have) / 65536));
}

export const align16 = (n: number): number => (n + 15) & ~15;

/** The source bytes currently at offset 0 (kept across the views of one image). */
let placed: Uint8Array | null = null;

/** Copy `src` to offset 0 unless it is already there; returns the first free (aligned) offset after it. */
export function placeSource(mem: WasmMemory, src: Uint8Array): number {
  const end = align16(src.length + 16);
  ensureMemory(mem, end);
  if (placed !== src) {
    new Uint8Array(mem.buffer, 0, src.length).set(src);
    placed = src;
  }
  return end;
}

/** A caller is about to use the memory from offset 0 for something else: the placed source is gone. */
export function releaseSource(): void {
  placed = null;
}

/**
 * Run `kernel` on a copy of data[0 .. length) placed at offset 0 of the kernel memory (its scratch starts at the byte
 * offset it is given), then copy the result to into[at ..]. False, copying nothing back, when the kernel says so.
 */
export function runOnCopy(mem: WasmMemory, data: Float32Array, length: number, kernel: (scratch: number) => boolean | void, into: Float32Array = data, at = 0): boolean {
  releaseSource();
  ensureMemory(mem, length * 4);
  new Float32Array(mem.buffer, 0, length).set(data.subarray(0, length));
  if (kernel(length * 4) === false) return false;
  into.set(new Float32Array(mem.buffer, 0, length), at);
  return true;
}
