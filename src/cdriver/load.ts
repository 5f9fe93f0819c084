/**
 * Loading a C driver (Simulation.loadDriver): the module compiled once per set of bytes, an
 * instance per load with its own linear memory, the imports of the kernel's routines, and
 * DriverEntry(DriverObject, RegistryPath) run as the body of a system thread.
 *
 * The checks (README "C drivers: locations and pool checks"): the module's DWARF line table is
 * the driver's SourceLines, so a trap or a crash names its C file:line; a module built with
 * `wasm-opt --instrument-memory` (build-driver does) imports the shadow checker's hooks (module
 * "env"), and a ShadowMemory per instance, told of every heap block by a HeapObserver, turns a
 * load or store of a freed pool block or of a redzone into the kernel's verifier violation, and
 * a block's first load or store in each simulator event into the model's `nt.pool` 'touched'
 * record (PoolManager.touch), as a TypeScript driver's pool proxy traces it, and a load or store
 * of a C IRP's IoStatus.Status holding a failure not yet read into the driver's read of it (the
 * advisory WSK-STATUS-IGNORED). A module without those imports loads unchecked and untraced.
 * The module's call sites are named by C line for fault points (`siteNamer`, call-sites.ts).
 */
import {
  SimConfigError,
  nameWasmSites,
  wasmModuleOf,
  type DurationInput,
} from '../sim/index.ts';
import type { KTHREAD } from '../nt/index.ts';
import type { Kernel } from '../wsk/index.ts';
import { CallSiteNames } from './call-sites.ts';
import { CDriver, notADriver } from './c-driver.ts';
import { CSite, WasmLineTable } from './dwarf-lines.ts';
import { GAP, type HeapObserver } from './linear-heap.ts';
import { DRIVER_OBJECT_SIZE, UNICODE_STRING } from './layout.ts';
import { Mirrors } from './mirrors.ts';
import { mdlImports } from './mdl-imports.ts';
import { ntImports } from './nt-imports.ts';
import { ntIrpImports } from './nt-irp-imports.ts';
import { ntObjectImports } from './nt-object-imports.ts';
import { ntSyncImports } from './nt-sync-imports.ts';
import { slistImports } from './slist-imports.ts';
import { noteDriverEntry } from './unload.ts';
import { ShadowMemory, memoryInstrumentationImports } from './shadow-memory.ts';
import { wskImports } from './wsk-imports.ts';
import { Wasm, type WasmModule } from './wasm.ts';

/**
 * A scenario's own imports (module "scenario"): test hooks a driver built for a scenario may
 * call, given the driver (to read its memory) and the call's arguments. They never touch the
 * model, so they leave the trace as it is.
 */
export type ScenarioHooks = Record<string, (driver: CDriver, ...args: number[]) => number | void>;

export interface LoadDriverOptions {
  /** The export DriverEntry is. @defaultValue 'DriverEntry' */
  readonly entry?: string;
  /** What reports call the driver. @defaultValue the file's name, or 'driver.wasm' */
  readonly name?: string;
  readonly hooks?: ScenarioHooks;
  /** The C files the driver is built from: the build command a missing file's error gives. */
  readonly sources?: readonly string[];
  /**
   * When the driver is unloaded: at this virtual time a system thread calls the DriverUnload
   * routine DriverEntry set (unload.ts). Without it the driver stays loaded to the run's end.
   */
  readonly unloadAt?: DurationInput;
}

/** Compiled modules by their bytes: a campaign's thousands of runs compile a driver once. */
const modules = new WeakMap<Uint8Array, WasmModule>();
/** Line tables by the module's bytes: read once too. */
const lineTables = new WeakMap<Uint8Array, WasmLineTable>();

/** The imports binaryen 108's --instrument-memory adds (shadow-memory.ts). */
const INSTRUMENTATION = new Set(
  ['load', 'store'].flatMap((kind) => [
    `${kind}_ptr`,
    ...['i32', 'i64', 'f32', 'f64'].map((type) => `${kind}_val_${type}`),
  ]),
);

function lineTable(bytes: Uint8Array): WasmLineTable {
  let lines = lineTables.get(bytes);
  if (lines === undefined) {
    lines = new WasmLineTable(bytes);
    lineTables.set(bytes, lines);
  }
  return lines;
}

/** The modules whose call sites src/sim/site.ts names by C line: once per module's bytes. */
const namedModules = new WeakSet<Uint8Array>();

/**
 * What the driver's first call of an import does: tells src/sim/site.ts the module's id (its
 * frames' `wasm://wasm/<id>`, known only from a stack under it) and how to name its call sites
 * by C line (call-sites.ts), so that a fault point's site is `DriverEntry (driver.c:54)`.
 */
function siteNamer(bytes: Uint8Array, lines: WasmLineTable): () => void {
  if (namedModules.has(bytes) || !lines.hasLines) return () => {};
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const id = wasmModuleOf(new Error().stack ?? '');
    if (id === null || namedModules.has(bytes)) return;
    namedModules.add(bytes);
    const names = new CallSiteNames(bytes, lines);
    nameWasmSites(id, (name, index, offset) => names.name(name, index, offset));
  };
}

function compile(bytes: Uint8Array, where: string): WasmModule {
  const known = modules.get(bytes);
  if (known !== undefined) return known;
  let module: WasmModule;
  {
    try {
      module = new Wasm.Module(bytes);
    } catch (error) {
      throw new SimConfigError(where, `not a WebAssembly module: ${(error as Error).message}`);
    }
    modules.set(bytes, module);
  }
  return module;
}

/** Instantiates the driver for `kernel`: its memory, the bridge and its imports. */
export function instantiateDriver(
  kernel: Kernel,
  bytes: Uint8Array,
  options: LoadDriverOptions,
  where: string,
): CDriver {
  const module = compile(bytes, where);
  const name = options.name ?? 'driver.wasm';
  let driver: CDriver | null = null;
  const named = siteNamer(bytes, lineTable(bytes));
  const routines: Record<string, (...args: never[]) => unknown> = {};
  const wsksim: Record<string, unknown> = {};
  const scenario: Record<string, unknown> = {};
  let instrumented = false;
  for (const entry of Wasm.Module.imports(module)) {
    if (entry.module === 'wsksim') {
      const name = entry.name;
      // Every i32 as C's unsigned view: NTSTATUS values, flags and handles are the model's uint32s.
      wsksim[name] = (...args: (number | bigint)[]) => {
        named();
        return (routines[name] as (...a: unknown[]) => unknown)(...args.map(unsigned));
      };
    } else if (entry.module === 'scenario') {
      const hook = options.hooks?.[entry.name];
      if (hook === undefined) {
        throw new SimConfigError(`${where}.hooks`, `the driver imports scenario.${entry.name}`);
      }
      scenario[entry.name] = (...args: number[]) =>
        hook(driver as CDriver, ...args.map((a) => a >>> 0));
    } else if (entry.module === 'env' && INSTRUMENTATION.has(entry.name)) {
      instrumented = true;
    } else {
      throw new SimConfigError(where, `the driver imports ${entry.module}.${entry.name}`);
    }
  }
  const lines = lineTable(bytes);
  let shadow: ShadowMemory | null = null;
  let env = {};
  let mirrors: Mirrors | null = null;
  if (instrumented) {
    shadow = new ShadowMemory({
      redzoneBytes: GAP,
      // A load or store of a block, first in its event: the model's 'touched' record, as a
      // TypeScript driver's access through the block's proxy makes it.
      onTouch: (address) => {
        const block = mirrors?.poolBlockAt(address);
        if (block !== undefined) kernel.pool.touch(block);
      },
      // A load or store of a C IRP's IoStatus.Status holding a failure not yet read.
      onWatched: (address) => mirrors?.statusSeen(address),
      onViolation: (violation) => {
        // The shadow's message starts with the rule; the kernel's report adds it again.
        const detail = violation.message.slice(violation.rule.length + 2);
        kernel.report(violation.rule, `${name}: ${detail}`, { site: String(violation.site) });
      },
    });
    env = memoryInstrumentationImports(shadow, lines);
  }
  const instance = new Wasm.Instance(module, { wsksim, scenario, env });
  for (const needed of ['__stack_pointer', '__heap_base', 'asyncify_start_unwind']) {
    if (!(needed in instance.exports)) notADriver(where, needed);
  }
  driver = new CDriver(kernel, instance, name);
  if (lines.hasLines) {
    driver.sourceLines = {
      lineOf: (offset) => {
        const at = lines.lineAtModuleOffset(offset);
        return at === undefined ? null : `${at.file}:${at.line}`;
      },
    };
  }
  if (shadow !== null) {
    const checked = shadow;
    const heap = driver.heap;
    driver.heap.observer = shadowObserver(checked, lines);
    driver.doubleFree = (address) => {
      if (heap.kindAt(address) === 'pool' || !checked.isFreed(address)) return false;
      checked.free(address, new CSite(lines));
      return true;
    };
    driver.onEnter = rearmEachEvent(kernel, checked);
    driver.statusWatch = {
      watch: (address) => checked.watch(address, 4),
      unwatch: (address) => checked.unwatch(address),
    };
  }
  mirrors = new Mirrors(driver);
  Object.assign(
    routines,
    ntImports(driver, mirrors),
    ntIrpImports(driver, mirrors),
    ntSyncImports(driver, mirrors),
    ntObjectImports(driver, mirrors),
    mdlImports(driver, mirrors),
    slistImports(driver, mirrors),
    wskImports(driver, mirrors),
  );
  for (const imported of Object.keys(wsksim)) {
    if (!(imported in routines)) {
      throw new SimConfigError(where, `the driver imports wsksim.${imported}, which it lacks`);
    }
  }
  return driver;
}

/**
 * The heap's blocks told to the shadow map: a pool block's allocation and free with the C site
 * of the call (the import ExAllocatePool2 or ExFreePoolWithTag is under), any other block's
 * memory (a thread's stack, the bridge's) as no pool's. Only a first free reaches the heap: a
 * second one is `doubleFree`'s, reported by the shadow map with its C lines (or the model's
 * POOL-DOUBLE-FREE, once the block's memory has been reused).
 */
function shadowObserver(shadow: ShadowMemory, lines: WasmLineTable): HeapObserver {
  return {
    allocated(address, size, kind, tag) {
      if (kind === 'pool') shadow.allocate(address, size, tag, new CSite(lines));
      else shadow.unmark(address, size);
    },
    freed(address, _size, kind) {
      if (kind === 'pool') shadow.free(address, new CSite(lines));
    },
  };
}

/** Rearms the shadow map's blocks when the driver is entered in a new simulator event. */
function rearmEachEvent(kernel: Kernel, shadow: ShadowMemory): () => void {
  let event = -1;
  return () => {
    const now = kernel.sim.eventsFired;
    if (now === event) return;
    event = now;
    shadow.rearm();
  };
}

function unsigned(value: number | bigint): number | bigint {
  return typeof value === 'number' ? value >>> 0 : value;
}

/**
 * DriverEntry(DriverObject, RegistryPath) as a system thread's body: a DRIVER_OBJECT and the
 * service key's name in the driver's memory, the entry run on the thread's own C stack. A
 * failure status is the driver's to report; the thread ends either way, as `sim.load`'s does.
 * `kthread` is the thread's object, for DriverUnload to wait on (unload.ts).
 */
export function runDriverEntry(
  driver: CDriver,
  entry: string,
  thread: string,
  kthread: KTHREAD,
): Promise<number> {
  const routine = driver.exports[entry];
  if (typeof routine !== 'function') {
    throw new SimConfigError('loadDriver.entry', `the driver exports no function ${entry}`);
  }
  const object = driver.allocate(DRIVER_OBJECT_SIZE, 'object');
  driver.setU16(object, 4);
  driver.setU16(object + 2, DRIVER_OBJECT_SIZE);
  const path = `\\Registry\\Machine\\System\\CurrentControlSet\\Services\\${driver.name}`;
  const text = driver.allocate(2 * path.length + 2, 'object');
  for (let i = 0; i < path.length; i++) driver.setU16(text + 2 * i, path.charCodeAt(i));
  const registry = driver.allocate(UNICODE_STRING.size, 'object');
  driver.setU16(registry + UNICODE_STRING.Length, 2 * path.length);
  driver.setU16(registry + UNICODE_STRING.MaximumLength, 2 * path.length + 2);
  driver.setU32(registry + UNICODE_STRING.Buffer, text);
  const call = routine as (object: number, registry: number) => number;
  const entered = driver.runThread(thread, () => call(object, registry));
  noteDriverEntry(driver, object, kthread, entered);
  return entered;
}
