/**
 * Pool checks in a C driver's linear memory: a shadow map, one byte per byte of memory up to the
 * highest pool block, saying whether each byte is outside the pool, in a live block, in a freed
 * block or in a redzone. The bridge calls `allocate` from ExAllocatePool2 (and its kin) and
 * `free` from ExFreePoolWithTag; every load and store of the driver calls `check` through
 * binaryen's memory instrumentation (`memoryInstrumentationImports`, wasm-opt
 * --instrument-memory). Reports use the verifier's rule ids where one exists:
 *
 * - POOL-USE-AFTER-FREE: a load or store touching a freed block, with the C lines of the
 *   access, the allocation and the free;
 * - POOL-DOUBLE-FREE: a free of a freed block, with the allocation and both frees;
 * - POOL-FREE-FOREIGN: a free of an address that is not the start of a live block;
 * - POOL-TAG-MISMATCH: a free whose tag is not the allocation's;
 * - POOL-OUT-OF-BOUNDS (new): a load or store in a redzone, the `redzoneBytes` the allocator
 *   leaves before and after each block (as Driver Verifier's special pool puts a block against a
 *   guard page), with the access and allocation lines.
 *
 * What it cannot see: a freed block's memory handed out again. The shadow then says live (or
 * nothing, `unmark`), and a stale pointer's access reads the new block unreported; the C heap
 * keeps freed blocks out of reuse for a while (a quarantine, as AddressSanitizer does,
 * linear-heap.ts), which keeps the window open.
 * Leaks are the pool's own end-of-run check (the bridge's blocks), not this file's.
 *
 * Cost: the hooks the driver calls are wasm (shadow-checker.ts; the shadow bytes live in that
 * module's memory), so a load or store costs two wasm-to-wasm calls; outside [lowest block,
 * highest block end) the check is two compares, inside it reads one shadow byte per byte
 * accessed. JavaScript runs only to report: the site (a stack capture) is taken then.
 */
import { CSite, type WasmLineTable } from './dwarf-lines.ts';
import { instantiateChecker, type ShadowChecker } from './shadow-checker.ts';
import {
  blockText,
  hex,
  offsetText,
  poolTagText,
  type PoolBlock,
  type PoolRule,
  type PoolViolation,
  type Site,
} from './shadow-reports.ts';

export { poolTagText, type PoolBlock, type PoolRule, type PoolViolation, type Site };

export interface ShadowMemoryOptions {
  /**
   * Bytes before and after each block that the allocator never hands out, marked so that an
   * access there is POOL-OUT-OF-BOUNDS. 0 (no redzones) unless the allocator leaves them.
   * @defaultValue 0
   */
  readonly redzoneBytes?: number;
  /**
   * Called with each violation as it is found, inside the driver's call (an exception thrown
   * here unwinds the driver, as a bug check would). Violations are also kept in `violations`.
   */
  readonly onViolation?: (violation: PoolViolation) => void;
  /**
   * Called with a block's address on its first load or store since the last `rearm` (and on
   * every access to a freed block, before its report): what the bridge traces as the model's
   * `nt.pool` 'touched' record. Without it no block is ever armed and accesses cost as before.
   */
  readonly onTouch?: (address: number) => void;
  /**
   * Called with the address `watch` was given on the first load or store of any of its bytes,
   * after which they are no longer watched (the bridge's IRP IoStatus.Status, for the advisory
   * WSK-STATUS-IGNORED: a read of it is the driver seeing the status).
   */
  readonly onWatched?: (address: number) => void;
}

/**
 * Shadow states; 0, the initial value, is memory outside every pool block. ARMED is a live
 * block not touched since the last `rearm`: like FREED and REDZONE it has bit 1 set, so the
 * checker module calls back on an access to it (shadow-checker.ts), which touches the block and
 * makes it LIVE again.
 */
const LIVE = 1;
const FREED = 2;
const REDZONE = 3;
const ARMED = 6;
/** Bytes outside the pool watched for their next access (`watch`); bit 1 set, as ARMED's. */
const WATCHED = 10;
/** The widest access that can start before a watched range and reach it. */
const WIDEST_ACCESS = 16;

export class ShadowMemory {
  readonly violations: PoolViolation[] = [];
  readonly #redzone: number;
  readonly #onViolation: ((violation: PoolViolation) => void) | undefined;
  readonly #onTouch: ((address: number) => void) | undefined;
  readonly #onWatched: ((address: number) => void) | undefined;
  /** Watched ranges: start → bytes. */
  readonly #watches = new Map<number, number>();
  /** Live blocks allocated or touched since the last `rearm`: the ones it arms. */
  #touched: PoolBlock[] = [];
  readonly #checker: ShadowChecker;
  #shadow: Uint8Array;
  #site: () => Site = () => '(no site: memoryInstrumentationImports not called)';
  /** Bounds of every byte ever marked (blocks and redzones): the fast path's range. */
  #low = Number.POSITIVE_INFINITY;
  #high = 0;
  readonly #live = new Map<number, PoolBlock>();
  /** Freed blocks by address, the latest at each address, until the memory is reused. */
  readonly #freed = new Map<number, PoolBlock>();

  constructor(options: ShadowMemoryOptions = {}) {
    this.#redzone = options.redzoneBytes ?? 0;
    this.#onViolation = options.onViolation;
    this.#onTouch = options.onTouch;
    this.#onWatched = options.onWatched;
    this.#checker = instantiateChecker((address, bytes, isStore) => {
      this.check(address >>> 0, bytes, isStore !== 0, this.#site);
    });
    this.#shadow = new Uint8Array(this.#checker.memory.buffer);
  }

  /**
   * The hooks for a driver's --instrument-memory imports, reporting sites with `site` (see
   * memoryInstrumentationImports).
   */
  instrumentationHooks(site: () => Site): Readonly<Record<string, unknown>> {
    this.#site = site;
    return this.#checker.hooks;
  }

  /** The live blocks, in allocation order. */
  get liveBlocks(): readonly PoolBlock[] {
    return [...this.#live.values()];
  }

  /**
   * A block handed out at `address` (its payload; `redzoneBytes` on each side stay reserved).
   * The allocator's contract: it never returns memory that overlaps a live block.
   */
  allocate(address: number, size: number, tag: number, site: Site): void {
    if (!(Number.isInteger(address) && address > 0 && Number.isInteger(size) && size >= 0)) {
      throw new RangeError(`pool block at ${address} of ${size} bytes`);
    }
    const start = Math.max(0, address - this.#redzone);
    const end = address + size + this.#redzone;
    this.#cover(end);
    const shadow = this.#shadow;
    if (shadow.subarray(start, end).includes(FREED)) this.#forgetFreed(start, end);
    shadow.fill(REDZONE, start, address);
    shadow.fill(LIVE, address, address + size);
    shadow.fill(REDZONE, address + size, end);
    this.#low = Math.min(this.#low, start);
    this.#high = Math.max(this.#high, end);
    this.#checker.setBounds(this.#low, this.#high);
    const block: PoolBlock = { address, size, tag, allocation: site, free: undefined };
    this.#live.set(address, block);
    // Touched by its allocation (filling it in is part of it, as for a TypeScript driver's).
    if (this.#onTouch !== undefined) this.#touched.push(block);
  }

  /**
   * Watches `bytes` bytes at `address`, memory outside any pool block (the bridge's own): their
   * next load or store calls `onWatched(address)` and ends the watch.
   */
  watch(address: number, bytes: number): void {
    const end = address + bytes;
    this.#cover(end);
    this.#shadow.fill(WATCHED, address, end);
    this.#watches.set(address, bytes);
    this.#low = Math.min(this.#low, address);
    this.#high = Math.max(this.#high, end);
    this.#checker.setBounds(this.#low, this.#high);
  }

  /** Ends a watch `watch` started at `address`, if any, with no call. */
  unwatch(address: number): void {
    const bytes = this.#watches.get(address);
    if (bytes === undefined) return;
    this.#watches.delete(address);
    const shadow = this.#shadow;
    // Only bytes still watched: the memory may be another's by now.
    for (let at = address; at < address + bytes; at++) if (shadow[at] === WATCHED) shadow[at] = 0;
  }

  /**
   * A new simulator event: every live block touched or allocated since the last call is armed,
   * so that its next load or store calls `onTouch` again (the model traces a block's first
   * access in each event).
   */
  rearm(): void {
    const shadow = this.#shadow;
    for (const block of this.#touched) {
      if (this.#live.get(block.address) !== block) continue;
      shadow.fill(ARMED, block.address, block.address + block.size);
    }
    this.#touched = [];
  }

  /** Whether `address` is the start of a block freed already (and not reused since). */
  isFreed(address: number): boolean {
    return !this.#live.has(address) && this.#freed.has(address);
  }

  /**
   * Memory the allocator hands out for something other than a pool block (a thread's stack, the
   * bridge's own blocks): no longer freed or redzone, so its accesses are clean; the freed blocks
   * it overlaps are forgotten, as when a pool block reuses them.
   */
  unmark(address: number, size: number): void {
    const end = Math.min(address + size, this.#shadow.length);
    if (address >= end || address >= this.#high || end <= this.#low) return;
    for (const start of this.#watches.keys()) {
      if (start >= address && start < end) this.#watches.delete(start);
    }
    if (this.#shadow.subarray(address, end).includes(FREED)) this.#forgetFreed(address, end);
    this.#shadow.fill(0, address, end);
  }

  /**
   * ExFreePoolWithTag(address, tag) (`tag` undefined: ExFreePool, no tag check). Returns
   * whether a live block was freed; otherwise reports the violation and changes nothing.
   */
  free(address: number, site: Site, tag?: number): boolean {
    const block = this.#live.get(address);
    if (block === undefined) {
      const freed = this.#freed.get(address);
      if (freed !== undefined) {
        this.#report('POOL-DOUBLE-FREE', address, 0, site, freed,
          `free of ${hex(address)} at ${site}: already freed at ${String(freed.free)}` +
          `${blockText(freed)}`);
      } else {
        this.#report('POOL-FREE-FOREIGN', address, 0, site, this.#blockAround(address),
          `free of ${hex(address)} at ${site}: not the start of a live pool block`);
      }
      return false;
    }
    if (tag !== undefined && tag !== block.tag) {
      this.#report('POOL-TAG-MISMATCH', address, 0, site, block,
        `free of ${hex(address)} at ${site} with tag '${poolTagText(tag)}'` +
        `${blockText(block)}`);
      return false;
    }
    this.#live.delete(address);
    block.free = site;
    this.#freed.set(address, block);
    this.#shadow.fill(FREED, address, address + block.size);
    return true;
  }

  /**
   * A load or store of `bytes` bytes at `address`; `site` is asked for only when it is a
   * violation (capture the C stack there). Returns whether the access is clean.
   */
  check(address: number, bytes: number, isStore: boolean, site: () => Site): boolean {
    if (address >= this.#high || address + bytes <= this.#low) return true;
    const shadow = this.#shadow;
    const end = Math.min(address + bytes, shadow.length);
    for (let at = address; at < end; at++) {
      const state = shadow[at] as number;
      if (state === ARMED) this.#touch(at);
      else if (state === WATCHED) this.#watched(at);
      else if (state > LIVE) return this.#reportAccess(at, state, address, bytes, isStore, site());
    }
    return true;
  }

  /** An access to a watched byte: the watch holding it ends and is told. */
  #watched(at: number): void {
    for (let start = at; start > at - WIDEST_ACCESS && start >= 0; start--) {
      const bytes = this.#watches.get(start);
      if (bytes === undefined || at >= start + bytes) continue;
      this.unwatch(start);
      this.#onWatched?.(start);
      return;
    }
    this.#shadow[at] = 0;
  }

  /** The first access to an armed block since `rearm`: the block is LIVE again, and told. */
  #touch(at: number): void {
    const shadow = this.#shadow;
    let start = at;
    while (start > 0 && shadow[start - 1] === ARMED) start--;
    let block = this.#live.get(start);
    if (block === undefined || at >= block.address + block.size) block = this.#blockAround(at);
    if (block === undefined || block.free !== undefined) {
      shadow[at] = LIVE;
      return;
    }
    shadow.fill(LIVE, block.address, block.address + block.size);
    this.#touched.push(block);
    this.#onTouch?.(block.address);
  }

  #reportAccess(
    at: number,
    state: number,
    address: number,
    bytes: number,
    isStore: boolean,
    site: Site,
  ): false {
    const what = `${isStore ? 'write' : 'read'} of ${bytes} bytes at ${hex(address)} at ${site}`;
    const block = this.#blockAround(at);
    if (state === FREED) {
      if (block !== undefined) this.#onTouch?.(block.address);
      this.#report('POOL-USE-AFTER-FREE', address, bytes, site, block,
        `${what}: ${offsetText(at, block)}freed${blockText(block)}`);
    } else {
      this.#report('POOL-OUT-OF-BOUNDS', address, bytes, site, block,
        `${what}: ${offsetText(at, block)}in a redzone${blockText(block)}`);
    }
    return false;
  }

  /** The block containing `at`, else the nearest whose redzone holds it (reports only). */
  #blockAround(at: number): PoolBlock | undefined {
    let best: PoolBlock | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const block of [...this.#live.values(), ...this.#freed.values()]) {
      const past = at - (block.address + block.size) + 1;
      const distance = at < block.address ? block.address - at : Math.max(0, past);
      if (distance === 0 && block.free === undefined) return block;
      if (distance < bestDistance && distance <= this.#redzone) {
        best = block;
        bestDistance = distance;
      }
    }
    return best;
  }

  #report(
    rule: PoolRule,
    address: number,
    bytes: number,
    site: Site,
    block: PoolBlock | undefined,
    message: string,
  ): void {
    // The block as it was at the violation: a later free must not rewrite the report.
    const snapshot = block === undefined ? undefined : { ...block };
    const violation: PoolViolation = { rule, message: `${rule}: ${message}`, address, bytes, site,
      block: snapshot };
    this.violations.push(violation);
    this.#onViolation?.(violation);
  }

  /** Freed blocks overlapping [start, end) are reused memory now: no longer reportable. */
  #forgetFreed(start: number, end: number): void {
    for (const [address, block] of this.#freed) {
      if (address < end && address + block.size > start) this.#freed.delete(address);
    }
  }

  /** Grows the checker's memory to hold `end` plus the widest access (16 bytes) past it. */
  #cover(end: number): void {
    const needed = end + 16;
    if (needed <= this.#shadow.length) return;
    const page = 65536;
    const pages = Math.ceil(Math.max(needed, this.#shadow.length * 2) / page);
    this.#checker.memory.grow(pages - this.#shadow.length / page);
    this.#shadow = new Uint8Array(this.#checker.memory.buffer);
  }
}

/**
 * The imports `wasm-opt --instrument-memory` (binaryen 108) adds to a module, checking every
 * load and store against `shadow`. Each load or store `*(p + offset)` of N bytes becomes a call
 * of load_ptr / store_ptr(site id, N, offset, p), whose result is the pointer used, and of
 * load_val_{i32,i64,f32,f64} / store_val_…(site id, value), whose result is the value used: the
 * pointer hooks check, the value hooks pass the value through. They are wasm functions
 * (shadow-checker.ts). A violation's site is the C stack at the access (`lines` reads it), whose
 * innermost frame is the function doing the load or store.
 *
 * Plug them into the module's "env" beside the bridge's own imports:
 * `{ env: { ...bridge, ...memoryInstrumentationImports(shadow, lines) } }`. One shadow map per
 * driver module: the sites are read with that module's line table.
 */
export function memoryInstrumentationImports(
  shadow: ShadowMemory,
  lines: WasmLineTable,
): Readonly<Record<string, unknown>> {
  return shadow.instrumentationHooks(() => new CSite(lines));
}
