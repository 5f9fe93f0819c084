/**
 * Loading a C driver (Simulation.loadDriver): the module compiled once per set of bytes, an
 * instance per load with its own linear memory, the imports of the kernel's routines, and
 * DriverEntry(DriverObject, RegistryPath) run as the body of a system thread.
 */
import { SimConfigError } from '../sim/index.ts';
import type { Kernel } from '../wsk/index.ts';
import { CDriver, notADriver } from './c-driver.ts';
import { DRIVER_OBJECT_SIZE, UNICODE_STRING } from './layout.ts';
import { Mirrors } from './mirrors.ts';
import { ntImports } from './nt-imports.ts';
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
}

/** Compiled modules by their bytes: a campaign's thousands of runs compile a driver once. */
const modules = new WeakMap<Uint8Array, WasmModule>();

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
  const routines: Record<string, (...args: never[]) => unknown> = {};
  const wsksim: Record<string, unknown> = {};
  const scenario: Record<string, unknown> = {};
  for (const entry of Wasm.Module.imports(module)) {
    if (entry.module === 'wsksim') {
      const name = entry.name;
      // Every i32 as C's unsigned view: NTSTATUS values, flags and handles are the model's uint32s.
      wsksim[name] = (...args: (number | bigint)[]) =>
        (routines[name] as (...a: unknown[]) => unknown)(...args.map(unsigned));
    } else if (entry.module === 'scenario') {
      const hook = options.hooks?.[entry.name];
      if (hook === undefined) {
        throw new SimConfigError(`${where}.hooks`, `the driver imports scenario.${entry.name}`);
      }
      scenario[entry.name] = (...args: number[]) =>
        hook(driver as CDriver, ...args.map((a) => a >>> 0));
    } else {
      throw new SimConfigError(where, `the driver imports ${entry.module}.${entry.name}`);
    }
  }
  const instance = new Wasm.Instance(module, { wsksim, scenario });
  for (const needed of ['__stack_pointer', '__heap_base', 'asyncify_start_unwind']) {
    if (!(needed in instance.exports)) notADriver(where, needed);
  }
  driver = new CDriver(kernel, instance, name);
  const mirrors = new Mirrors(driver);
  Object.assign(routines, ntImports(driver, mirrors), wskImports(driver, mirrors));
  for (const imported of Object.keys(wsksim)) {
    if (!(imported in routines)) {
      throw new SimConfigError(where, `the driver imports wsksim.${imported}, which it lacks`);
    }
  }
  return driver;
}

function unsigned(value: number | bigint): number | bigint {
  return typeof value === 'number' ? value >>> 0 : value;
}

/**
 * DriverEntry(DriverObject, RegistryPath) as a system thread's body: a DRIVER_OBJECT and the
 * service key's name in the driver's memory, the entry run on the thread's own C stack. A
 * failure status is the driver's to report; the thread ends either way, as `sim.load`'s does.
 */
export function runDriverEntry(driver: CDriver, entry: string, thread: string): Promise<number> {
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
  return driver.runThread(thread, () => call(object, registry));
}
