/**
 * Building and running C fixtures (test/fixtures/cdriver) with clang 14 (wasm32), wasm-ld and
 * binaryen's wasm-opt, in a given directory; no vitest here, so bench/cdriver.ts uses it too.
 *
 * Fixtures mark lines with a comment `line:NAME`; `markedLines` finds them, so tests name lines
 * rather than hard-coding numbers.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures/cdriver/', import.meta.url));

/** The waiting import asyncify unwinds through (the bridge lists each waiting routine). */
export const ASYNCIFY_IMPORTS = '--pass-arg=asyncify-imports@env.KeWaitForSingleObject';

/** The recommended wasm-opt pipeline (README, "C drivers: locations and pool checks"). */
export const PIPELINE: readonly string[] = ['-g', '--instrument-memory', '--asyncify',
  ASYNCIFY_IMPORTS];

export function run(tool: string, args: readonly string[], cwd: string): void {
  const result = spawnSync(tool, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (result.error !== undefined) throw new Error(`${tool} did not run: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${tool} ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  }
}

export interface BuildOptions {
  /** clang's flags beside the target and -c. @defaultValue ['-gdwarf-4', '-O1'] */
  readonly cflags?: readonly string[];
  /** wasm-opt's passes and flags; none: the linked module as is. */
  readonly wasmOpt?: readonly string[];
}

/**
 * Compiles `fixture` (files of test/fixtures/cdriver, linked into one module) in `directory`,
 * where the fixtures are copied so that the line table names files relative to it (`pool.c`,
 * `include/x.h`, with `-Iinclude`); returns the final module's bytes.
 */
export function buildFixture(
  directory: string,
  fixture: string | readonly string[],
  options: BuildOptions = {},
): Uint8Array {
  const sources = typeof fixture === 'string' ? [fixture] : fixture;
  cpSync(FIXTURES, directory, { recursive: true });
  const cflags = options.cflags ?? ['-gdwarf-4', '-O1'];
  const objects = sources.map((source) => {
    const object = `${basename(source, '.c')}.o`;
    run('clang', ['--target=wasm32', '-nostdlib', '-ffreestanding', '-Iinclude', ...cflags, '-c',
      source, '-o', object], directory);
    return object;
  });
  run('wasm-ld', ['--no-entry', '--export-dynamic', '-o', 'linked.wasm', ...objects], directory);
  if (options.wasmOpt === undefined) return readFileSync(join(directory, 'linked.wasm'));
  run('wasm-opt', ['linked.wasm', ...options.wasmOpt, '-o', 'driver.wasm'], directory);
  return readFileSync(join(directory, 'driver.wasm'));
}

/** Line numbers of a fixture's `line:NAME` marks, by NAME. */
export function markedLines(fixture: string): Map<string, number> {
  const lines = readFileSync(join(FIXTURES, fixture), 'utf8').split('\n');
  const marks = new Map<string, number>();
  lines.forEach((text, index) => {
    for (const match of text.matchAll(/line:([\w-]+)/g)) marks.set(match[1] ?? '', index + 1);
  });
  return marks;
}

/**
 * The part of the WebAssembly JS API these tests use: the project's lib is ES2022 without DOM,
 * which is where TypeScript declares WebAssembly.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Pool stand-ins' layout: blocks 16-aligned, with REDZONE bytes kept free on each side. */
export const REDZONE = 16;
const ARENA_PAGES = 64;
const ASYNCIFY_STACK = 4096;

export interface FixtureHost {
  readonly exports: Record<string, (...args: number[]) => number>;
  readonly memory: WasmMemory;
  /** Calls an export that may wait: each KeWaitForSingleObject unwinds, then resumes at once. */
  callWaiting(name: string, ...args: number[]): number;
  /** How many times a wait unwound the driver's stack. */
  readonly unwinds: number;
}

export interface FixtureImports {
  /** Called by ExAllocatePool2 after the bump allocator found `address`. */
  readonly allocated?: (address: number, size: number, tag: number) => void;
  /** Called by ExFreePoolWithTag. */
  readonly freed?: (address: number, tag: number) => void;
  /** Called by KeWaitForSingleObject before it parks the driver (not on the rewind). */
  readonly waiting?: () => void;
  /** Report(Value). */
  readonly report?: (value: number) => void;
  /** More "env" imports (the memory instrumentation's). */
  readonly env?: object;
}

/**
 * Instantiates a fixture built by buildFixture. The pool is a bump allocator over pages grown
 * for it (a freed block is never reused, so a use after free always lands on freed memory);
 * KeWaitForSingleObject parks the driver with asyncify when the module was built with it.
 */
export function instantiateFixture(bytes: Uint8Array, imports: FixtureImports = {}): FixtureHost {
  let exports: Record<string, (...args: number[]) => number> = {};
  let memory: WasmMemory | undefined;
  let next = 0;
  let end = 0;
  let data = 0;
  let rewinding = false;
  let unwinds = 0;
  const env = {
    ExAllocatePool2(_flags: bigint, size: number, tag: number): number {
      const address = next + REDZONE;
      next = (address + size + REDZONE + 15) & ~15;
      if (next > end) return 0;
      imports.allocated?.(address, size, tag >>> 0);
      return address;
    },
    ExFreePoolWithTag(address: number, tag: number): void {
      imports.freed?.(address >>> 0, tag >>> 0);
    },
    KeWaitForSingleObject(_object: number): number {
      if (rewinding) {
        rewinding = false;
        exports['asyncify_stop_rewind']?.();
        return 0;
      }
      imports.waiting?.();
      if (exports['asyncify_start_unwind'] === undefined) return 0;
      unwinds++;
      const view = new DataView((memory as WasmMemory).buffer);
      view.setUint32(data, data + 8, true);
      view.setUint32(data + 4, data + 8 + ASYNCIFY_STACK, true);
      exports['asyncify_start_unwind']?.(data);
      return 0;
    },
    Report(value: number): void {
      imports.report?.(value);
    },
    ...imports.env,
  };
  const instance = new wasm.Instance(new wasm.Module(bytes), { env });
  exports = instance.exports as unknown as Record<string, (...args: number[]) => number>;
  memory = instance.exports['memory'] as WasmMemory;
  data = memory.grow(1) * 65536;
  next = memory.grow(ARENA_PAGES) * 65536;
  end = next + ARENA_PAGES * 65536;
  const host: FixtureHost = {
    exports,
    memory,
    get unwinds() {
      return unwinds;
    },
    callWaiting(name, ...args) {
      const entry = exports[name];
      if (entry === undefined) throw new Error(`no export ${name}`);
      let result = entry(...args);
      // asyncify_get_state: 1 unwinding. Stop, "run other threads", then rewind into the wait.
      while (exports['asyncify_get_state']?.() === 1) {
        exports['asyncify_stop_unwind']?.();
        rewinding = true;
        exports['asyncify_start_rewind']?.(data);
        result = entry(...args);
      }
      return result;
    },
  };
  return host;
}
