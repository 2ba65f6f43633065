// Instantiates an embedded WebAssembly kernel once per thread; null when the runtime lacks WebAssembly SIMD.

/** The slice of the WebAssembly API used here (the Node-side TypeScript lib has no WebAssembly declarations). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WASM = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** The exports of the module in `base64`, or null if it cannot be compiled here. */
export function instantiate<T>(base64: string): T | null {
  try {
    if (!WASM) return null;
    return new WASM.Instance(new WASM.Module(Buffer.from(base64, 'base64')), {}).exports as T;
  } catch {
    return null;
  }
}

/** Grow `memory` to at least `bytes`. */
export function ensureMemory(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}

export const align16 = (n: number): number => (n + 15) & ~15;
