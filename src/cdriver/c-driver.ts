/**
 * A C driver compiled to wasm32 (`wsksim build-driver`), instantiated for one host's kernel: its
 * linear memory, the bridge's maps between C addresses and the model's objects, and how its code
 * runs in the simulation's system threads.
 *
 * Threads and waits. A routine that can wait (KeWaitForSingleObject and every routine that
 * returns a promise in the TypeScript kernel) is an import asyncify instruments
 * (`wasm-opt --asyncify`, "Pause and Resume WebAssembly with Binaryen's Asyncify",
 * https://kripken.github.io/blog/wasm/2019/07/16/asyncify.html): when the model's answer is a
 * promise, the C stack unwinds to `runThread`, which awaits it as a TypeScript driver would, and
 * rewinds the C stack to return its value. Each system thread has its own C stack and asyncify
 * region, so a parked thread's frames survive while other threads and callbacks run.
 *
 * Callbacks. A completion routine or an event callback is a C function pointer the model calls
 * synchronously through a trampoline (c/runtime/runtime.c). It runs on the stack of whatever C
 * code is below it, or on the interrupt stack when none is. It cannot unwind (a JavaScript frame
 * is in the way), so a wait there that would block is what it is in TypeScript: the verifier's
 * WAIT-OUTSIDE-THREAD, the model's answer returned to the callback.
 *
 * Crashes. A trap (unreachable, out of bounds, a bad function pointer) or an argument that is not
 * what the routine takes is the driver's failure, kind 'driver-crash', named by the C function
 * (from the module's name section) and, through `sourceLines`, the C file:line.
 */
import { LocatedDriverError, SimConfigError } from '../sim/index.ts';
import type { Kernel } from '../wsk/index.ts';
import { LinearHeap, heapExhausted, type BlockKind } from './linear-heap.ts';
import { Wasm, type WasmGlobal, type WasmInstance, type WasmMemory } from './wasm.ts';

/** C stack and asyncify region of one system thread, and of the interrupt context. */
const THREAD_STACK = 64 * 1024;
const ASYNCIFY_DATA = 16 * 1024;

/** What an unwinding PsTerminateSystemThread leaves for runThread. */
const TERMINATED = Symbol('PsTerminateSystemThread');

/** asyncify_get_state's answers (0 is normal execution). */
const UNWINDING = 1;
const REWINDING = 2;

/** The exports every driver has: its runtime's and asyncify's (build-driver keeps them). */
export interface DriverExports {
  readonly memory: WasmMemory;
  readonly __stack_pointer: WasmGlobal;
  readonly __heap_base: WasmGlobal;
  readonly asyncify_start_unwind: (data: number) => void;
  readonly asyncify_stop_unwind: () => void;
  readonly asyncify_start_rewind: (data: number) => void;
  readonly asyncify_stop_rewind: () => void;
  readonly asyncify_get_state: () => number;
  readonly __wsksim_dispatch_table: (category: number) => number;
  readonly __wsksim_npi_wsk_interface_id: () => number;
  readonly __wsksim_call_completion: (fn: number, dev: number, irp: number, ctx: number) => number;
  readonly __wsksim_call_cancel: (fn: number, dev: number, irp: number) => void;
  readonly __wsksim_call_accept_event: (
    fn: number, ctx: number, flags: number, local: number, remote: number, socket: number,
    outContext: number, outDispatch: number,
  ) => number;
  readonly __wsksim_call_inspect_event: (
    fn: number, ctx: number, local: number, remote: number, id: number,
  ) => number;
  readonly __wsksim_call_abort_event: (fn: number, ctx: number, id: number) => number;
  readonly __wsksim_call_receive_event: (
    fn: number, ctx: number, flags: number, indication: number, indicated: number,
    accepted: number,
  ) => number;
  readonly __wsksim_call_disconnect_event: (fn: number, ctx: number, flags: number) => number;
  readonly __wsksim_call_send_backlog_event: (fn: number, ctx: number, size: number) => number;
  readonly __wsksim_call_dpc: (
    fn: number, dpc: number, ctx: number, argument1: number, argument2: number,
  ) => void;
  readonly __wsksim_call_work_item: (fn: number, device: number, ctx: number) => void;
  readonly __wsksim_call_start_routine: (fn: number, ctx: number) => void;
  readonly __wsksim_call_allocate: (fn: number, type: number, bytes: number, tag: number) => number;
  readonly __wsksim_call_free: (fn: number, buffer: number) => void;
  readonly [name: string]: unknown;
}

/**
 * The seam for a DWARF .debug_line reader: the C file:line of a code offset in the module (as a
 * wasm stack frame gives it), or null when the module's DWARF does not say.
 */
export interface SourceLines {
  lineOf(codeOffset: number): string | null;
}

/** A system thread's C stack: where its stack pointer is while it is parked. */
interface CThread {
  readonly name: string;
  stackPointer: number;
  readonly asyncifyData: number;
}

/** One wasm frame of a JavaScript stack trace. */
interface WasmFrame {
  readonly name: string;
  readonly offset: number;
}

/** The runtime's functions' names (c/runtime), as src/sim/site.ts tells them apart too. */
const RUNTIME_FUNCTION = /^(Shim|Wsksim)[A-Z]/;
const WASM_FRAME = /at (?:(\S+) )?\(?wasm:\/\/wasm\/[^:]*:wasm-function\[(\d+)\]:(0x[0-9a-f]+)\)?/;

export class CDriver {
  readonly kernel: Kernel;
  readonly exports: DriverExports;
  readonly heap: LinearHeap;
  /** What the driver's file is called in reports. */
  readonly name: string;
  /** The C file:line reader, when one is attached. */
  sourceLines: SourceLines | null = null;
  /**
   * The pool checks' answer to a free, when they are attached (loadDriver): true when `address`
   * is a block freed already, reported with the C lines of this free, the allocation and the
   * first free, so the model (which would name only the block's number) is not asked.
   */
  doubleFree: ((address: number) => boolean) | null = null;
  /**
   * Called each time the model calls into the driver's C code with none of it running (a
   * thread's start or resumption, a callback): where the pool checks learn of a new simulator
   * event (loadDriver: the shadow map rearms its blocks for the `nt.pool` 'touched' records).
   */
  onEnter: (() => void) | null = null;
  /**
   * Watches a C IRP's IoStatus.Status for the driver's next load or store of it, when the pool
   * checks are attached (loadDriver): `watch` when the model's status is a failure not yet read,
   * `unwatch` otherwise. Without it no read is seen.
   */
  statusWatch: { watch(address: number): void; unwatch(address: number): void } | null = null;
  #bytes: Uint8Array;
  #view: DataView;
  /** Wasm activations on the JavaScript stack: 1 in a thread's own code, 2+ in a callback. */
  #depth = 0;
  /** The thread whose code is running, null in an event (a callback at depth 1). */
  #running: CThread | null = null;
  readonly #interruptStack: number;
  /** What an unwinding import waits for, and what the rewound import returns. */
  #pending: PromiseLike<unknown> | typeof TERMINATED | null = null;
  #resumed: unknown = undefined;
  /** The unwound import's `finish`, with the state its call made (the rewound call's is new). */
  #finish: ((value: never) => number) | null = null;

  constructor(kernel: Kernel, instance: WasmInstance, name: string) {
    this.kernel = kernel;
    this.name = name;
    this.exports = instance.exports as unknown as DriverExports;
    const buffer = this.exports.memory.buffer;
    this.#bytes = new Uint8Array(buffer);
    this.#view = new DataView(buffer);
    this.#interruptStack = Number(this.exports.__stack_pointer.value);
    const memory = {
      bytes: (): Uint8Array => this.#bytes,
      grow: (pages: number): boolean => {
        try {
          this.exports.memory.grow(pages);
        } catch {
          return false;
        }
        // Growing detaches the old buffer: every view is made again (the C code never grows it).
        this.#bytes = new Uint8Array(this.exports.memory.buffer);
        this.#view = new DataView(this.exports.memory.buffer);
        return true;
      },
    };
    this.heap = new LinearHeap(memory, Number(this.exports.__heap_base.value));
  }

  // ---- memory ---------------------------------------------------------------------------------

  get bytes(): Uint8Array {
    return this.#bytes;
  }

  u8(address: number): number {
    return this.#view.getUint8(this.#checked(address, 1));
  }
  u16(address: number): number {
    return this.#view.getUint16(this.#checked(address, 2), true);
  }
  u32(address: number): number {
    return this.#view.getUint32(this.#checked(address, 4), true);
  }
  i32(address: number): number {
    return this.#view.getInt32(this.#checked(address, 4), true);
  }
  i64(address: number): number {
    return Number(this.#view.getBigInt64(this.#checked(address, 8), true));
  }
  setU8(address: number, value: number): void {
    this.#view.setUint8(this.#checked(address, 1), value);
  }
  setU16(address: number, value: number): void {
    this.#view.setUint16(this.#checked(address, 2), value, true);
  }
  setU32(address: number, value: number): void {
    this.#view.setUint32(this.#checked(address, 4), value >>> 0, true);
  }

  /** A NUL-terminated string of bytes (Latin-1, as a driver's format strings are). */
  cString(address: number): string {
    let end = this.#checked(address, 1);
    while (end < this.#bytes.length && this.#bytes[end] !== 0) end++;
    let text = '';
    for (let i = address; i < end; i++) text += String.fromCharCode(this.#bytes[i] as number);
    return text;
  }

  /** A NUL-terminated UTF-16 string. */
  wideString(address: number, length = -1): string {
    let text = '';
    for (let i = 0; length < 0 || i < length; i++) {
      const unit = this.u16(address + 2 * i);
      if (length < 0 && unit === 0) break;
      text += String.fromCharCode(unit);
    }
    return text;
  }

  /** A block of the driver's heap; a heap too small is a scenario the simulator cannot run. */
  allocate(size: number, kind: BlockKind, tag = 0): number {
    const address = this.heap.allocate(size, kind, tag);
    return address === 0 ? heapExhausted(`${size} bytes for ${kind}`) : address;
  }

  #checked(address: number, size: number): number {
    if (address <= 0 || address + size > this.#bytes.length) {
      this.crash(`the driver passed ${hex(address)}, which is not an address it may use`);
    }
    return address;
  }

  // ---- running C code -------------------------------------------------------------------------

  /**
   * Runs `call` (a C entry point) as the current system thread's code, on a stack of its own:
   * each wait it makes unwinds to here, is awaited, and is rewound. Settles with its result.
   */
  async runThread(name: string, call: () => number): Promise<number> {
    const stack = this.allocate(THREAD_STACK + ASYNCIFY_DATA, 'stack');
    const data = stack + THREAD_STACK;
    this.setU32(data, data + 8);
    this.setU32(data + 4, data + ASYNCIFY_DATA);
    const thread: CThread = { name, stackPointer: data, asyncifyData: data };
    const ex = this.exports;
    for (;;) {
      const result = this.#enter(thread, call);
      if (ex.asyncify_get_state() !== UNWINDING) {
        this.heap.free(stack);
        return result;
      }
      ex.asyncify_stop_unwind();
      // What this thread's unwound import left: other threads unwind while it is parked.
      const pending = this.#pending as PromiseLike<unknown> | typeof TERMINATED;
      const finish = this.#finish;
      this.#pending = null;
      this.#finish = null;
      if (pending === TERMINATED) {
        // PsTerminateSystemThread: the thread's C frames are dropped, never rewound.
        this.heap.free(stack);
        return 0;
      }
      this.#resumed = await pending;
      this.#finish = finish;
      ex.asyncify_start_rewind(data);
    }
  }

  /**
   * Calls into C from the model (a trampoline): on the interrupt stack when no C code is
   * running, else on the stack of the C code below.
   */
  callback(call: () => number): number {
    return this.#enter(null, call) >>> 0;
  }

  #enter(thread: CThread | null, call: () => number): number {
    const sp = this.exports.__stack_pointer;
    const outer = this.#depth === 0;
    const running = this.#running;
    if (outer) {
      sp.value = thread === null ? this.#interruptStack : thread.stackPointer;
      this.#running = thread;
      this.onEnter?.();
    }
    this.#depth++;
    try {
      return call();
    } catch (error) {
      throw this.#trapOf(error);
    } finally {
      this.#depth--;
      if (outer) {
        if (thread !== null) thread.stackPointer = Number(sp.value);
        sp.value = this.#interruptStack;
        this.#running = running;
      }
    }
  }

  /**
   * An import that may wait: `start` asks the model; a promise unwinds the thread's C stack
   * (runThread awaits it) and `finish` turns the awaited value into the import's result when
   * the stack is rewound. `cannotWait` answers when the caller is a callback, which cannot
   * unwind (the module header).
   */
  waiting<T>(
    start: () => T | PromiseLike<T>,
    finish: (value: T) => number,
    cannotWait: (answer: PromiseLike<T>) => number,
  ): number {
    const ex = this.exports;
    if (ex.asyncify_get_state() === REWINDING) {
      ex.asyncify_stop_rewind();
      const value = this.#resumed as never;
      const unwound = this.#finish as (value: never) => number;
      this.#resumed = undefined;
      this.#finish = null;
      return unwound(value);
    }
    const answer = start();
    if (!isThenable(answer)) return finish(answer);
    if (this.#depth !== 1 || this.#running === null) return cannotWait(answer);
    this.#pending = answer;
    this.#finish = finish as (value: never) => number;
    ex.asyncify_start_unwind(this.#running.asyncifyData);
    return 0;
  }

  /**
   * PsTerminateSystemThread: the calling thread's C stack unwinds and is dropped; false when the
   * caller is a callback the kernel called synchronously (nothing can be dropped under it).
   */
  terminateThread(): boolean {
    if (this.#depth !== 1 || this.#running === null) return false;
    this.#pending = TERMINATED;
    this.exports.asyncify_start_unwind(this.#running.asyncifyData);
    return true;
  }

  // ---- crashes --------------------------------------------------------------------------------

  /** The driver did something no routine takes: its failure, located at the C caller. */
  crash(message: string): never {
    throw this.#located(message, new Error().stack ?? '');
  }

  #trapOf(error: unknown): unknown {
    if (!(error instanceof Wasm.RuntimeError)) return error;
    const trap = error as Error;
    return this.#located(`trap: ${trap.message}`, trap.stack ?? '');
  }

  #located(message: string, stack: string): LocatedDriverError {
    // The runtime's frames (its Shim* table entries and Wsksim* trampolines) are wsksim's: the
    // driver's caller below them is named, unless the runtime is all there is (a bad routine
    // pointer trapping in a trampoline the model called).
    const all = wasmFrames(stack);
    const driver = all.filter((frame) => !RUNTIME_FUNCTION.test(frame.name));
    const frames = (driver.length > 0 ? driver : all).map((frame) => this.#frameText(frame));
    const site = frames[0] ?? `${this.name} (no wasm frame)`;
    const where = frames[0] === undefined ? '' : ` in ${frames[0]}`;
    return new LocatedDriverError(`${this.name}: ${message}${where}`, site, frames);
  }

  #frameText(frame: WasmFrame): string {
    const line = this.sourceLines?.lineOf(frame.offset) ?? null;
    const at = `${frame.name} (wasm ${hex(frame.offset)})`;
    return line === null ? at : `${frame.name} (${line})`;
  }
}

/** The wasm frames of a stack trace, innermost first. */
export function wasmFrames(stack: string): WasmFrame[] {
  const frames: WasmFrame[] = [];
  for (const line of stack.split('\n')) {
    const match = WASM_FRAME.exec(line);
    if (match === null) continue;
    const name = match[1] ?? `wasm-function[${match[2]}]`;
    frames.push({ name, offset: Number.parseInt(match[3] as string, 16) });
  }
  return frames;
}

export function hex(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A module that is not a driver build-driver made: the scenario cannot run it. */
export function notADriver(where: string, missing: string): never {
  throw new SimConfigError(
    where,
    `the module has no export ${missing}: build it with \`wsksim build-driver\``,
  );
}
