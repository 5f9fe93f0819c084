/**
 * The WebAssembly JavaScript API as the bridge uses it (the project's lib is ES2022 without the
 * DOM's declarations, where the WebAssembly namespace's types live): the few constructors and
 * members called, typed here once.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmGlobal {
  value: number | bigint;
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
export type WasmModule = object;
export interface WasmImportEntry {
  readonly module: string;
  readonly name: string;
  readonly kind: string;
}
interface WasmApi {
  Module: (new (bytes: Uint8Array) => WasmModule) & {
    imports(module: WasmModule): WasmImportEntry[];
  };
  Instance: new (module: WasmModule, imports: object) => WasmInstance;
  RuntimeError: new (...args: never[]) => Error;
}

export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
