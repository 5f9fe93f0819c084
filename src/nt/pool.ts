/**
 * Pool memory (docs/design.md#the-wsk-surface, "Pool memory"; #kernel-rules, "pool never freed (by
 * tag and size)").
 *
 * ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag) returns an object the driver keeps its
 * fields on, as C code keeps them in the allocated block, or null when the choice
 * 'pool allocation fails' (probability `poolAllocationFailure`, default 0) injects a failure.
 * Like pool memory in C, the object starts empty: its fields are undefined until written.
 * Pool type values are the POOL_TYPE enumeration of wdm.h (NonPagedPool 0, PagedPool 1,
 * NonPagedPoolNx 512). Tags are ULONGs as in C (a four-character literal such as 'Echo' is
 * accepted and kept as written); leaks() reports outstanding allocations by tag and bytes.
 *
 * Checks at the access: every pool object is a Proxy over its block. After ExFreePoolWithTag,
 * any read or write is the violation POOL-USE-AFTER-FREE (the read yields undefined, the write
 * is dropped, the run ends after the current event). Touching PagedPool at IRQL ≥
 * DISPATCH_LEVEL is POOL-PAGED-AT-DISPATCH (paged memory may fault; the WDK requires IRQL <
 * DISPATCH_LEVEL), and allocating or freeing PagedPool there is IRQL-TOO-HIGH. Freeing twice is
 * POOL-DOUBLE-FREE, with the wrong tag POOL-TAG-MISMATCH (BAD_POOL_CALLER in Windows), an object
 * that did not come from the pool POOL-FREE-FOREIGN.
 *
 * Each allocation is block #N, numbered from 1 on its host: the `nt.pool` trace records of its
 * allocation and free carry N, as every violation that names the block does, so a reader finds a
 * violation's block in the trace (a failed allocation has no block and no number). The first
 * access to a block in each simulator event is an `nt.pool` record 'touched' too (not in the
 * event that allocated it: filling a block in is part of its allocation); the first access after
 * its free always is, just before its POOL-USE-AFTER-FREE.
 *
 * Symbol keys and `then` are exempt (the runtime reads them when inspecting a value or resolving
 * a promise with it; driver code does not).
 *
 * Cost: a Proxy trap runs on every property access of a pool object, roughly an order of
 * magnitude slower than a plain property access; model code keeps its own state in plain
 * objects, so only driver code touching its own pool blocks pays it.
 */
import { callerSite, formatInstant } from '../sim/index.ts';
import { APC_LEVEL, DISPATCH_LEVEL } from './irql.ts';
import type { KernelCore } from './kernel-core.ts';
import { ListLink } from './lists.ts';

export const NonPagedPool = 0;
export const PagedPool = 1;
export const NonPagedPoolNx = 512;
export type POOL_TYPE = typeof NonPagedPool | typeof PagedPool | typeof NonPagedPoolNx;
/** POOL_FLAGS of ExAllocatePool2 (wdm.h; ULONG64 in C, exact as numbers below 2^53). */
export const POOL_FLAG_USE_QUOTA = 0x1;
export const POOL_FLAG_UNINITIALIZED = 0x2;
export const POOL_FLAG_SESSION = 0x4;
export const POOL_FLAG_CACHE_ALIGNED = 0x8;
export const POOL_FLAG_RAISE_ON_FAILURE = 0x20;
export const POOL_FLAG_NON_PAGED = 0x40;
export const POOL_FLAG_NON_PAGED_EXECUTE = 0x80;
export const POOL_FLAG_PAGED = 0x100;
export type POOL_FLAGS = number;

/** A ULONG pool tag, or the four characters of a C multi-character literal. */
export type PoolTag = number | string;

interface Block {
  readonly id: number;
  readonly poolType: POOL_TYPE;
  readonly bytes: number;
  readonly tag: PoolTag;
  freed: boolean;
  /** The virtual time of the allocation. */
  readonly at: number;
  /** The driver's file:line at the allocation, when sites are recorded. */
  readonly site: string | null;
  /** The virtual time of the free, once freed. */
  freedAt: number;
  /** The driver's file:line at the free, when sites are recorded. */
  freeSite: string | null;
  /** The simulator event (Simulator.eventsFired) of the last touch recorded, -1 for none. */
  touchedIn: number;
}

/** One outstanding allocation, as leaks() lists it. */
export interface PoolLeak {
  readonly tag: string;
  readonly bytes: number;
  readonly poolType: POOL_TYPE;
  /** The driver's file:line at the allocation, when sites were recorded. */
  readonly site?: string;
}

export function tagText(tag: PoolTag): string {
  if (typeof tag === 'string') return tag;
  // A ULONG tag is shown as debuggers show it: its bytes in memory (little-endian) order, so
  // the C literal 'ohcE' (0x6F686345) reads "Echo".
  let text = '';
  for (let shift = 0; shift < 32; shift += 8) {
    const code = (tag >>> shift) & 0xff;
    text += code >= 0x20 && code < 0x7f ? String.fromCharCode(code) : '.';
  }
  return text;
}

export class PoolManager {
  readonly #k: KernelCore;
  readonly #blocks = new WeakMap<object, Block>();
  readonly #live = new Map<number, Block>();
  #nextId = 1;

  constructor(kernel: KernelCore) {
    this.#k = kernel;
  }

  ExAllocatePoolWithTag<T extends object = Record<string, unknown>>(
    PoolType: POOL_TYPE,
    NumberOfBytes: number,
    Tag: PoolTag,
  ): T | null {
    return this.allocate<T>('ExAllocatePoolWithTag', PoolType, NumberOfBytes, Tag);
  }

  /**
   * ExAllocatePool2 ("ExAllocatePool2 function (wdm.h)"): Flags name the pool, exactly one of
   * POOL_FLAG_NON_PAGED, POOL_FLAG_NON_PAGED_EXECUTE and POOL_FLAG_PAGED; the block is zeroed
   * unless POOL_FLAG_UNINITIALIZED (here every block starts empty: a field reads undefined until
   * written, either way). No pool flag, two of them, or a zero tag is POOL-FLAGS-INVALID (Bug
   * Check 0xC2: BAD_POOL_CALLER). The other flags are accepted and ignored.
   */
  ExAllocatePool2<T extends object = Record<string, unknown>>(
    Flags: number,
    NumberOfBytes: number,
    Tag: PoolTag,
  ): T | null {
    const pools = [POOL_FLAG_NON_PAGED, POOL_FLAG_NON_PAGED_EXECUTE, POOL_FLAG_PAGED];
    const given = pools.filter((flag) => Math.floor(Flags / flag) % 2 === 1);
    if (given.length !== 1 || Tag === 0 || Tag === '') {
      const what = given.length !== 1 ? `${given.length} pool type flags` : 'a zero tag';
      this.#k.violation('POOL-FLAGS-INVALID', `ExAllocatePool2 with ${what}`);
      return null;
    }
    const poolType = given[0] === POOL_FLAG_PAGED ? PagedPool : NonPagedPoolNx;
    return this.allocate<T>('ExAllocatePool2', poolType, NumberOfBytes, Tag);
  }

  /** ExAllocatePoolZero (wdm.h): ExAllocatePoolWithTag, zeroed (every block starts empty). */
  ExAllocatePoolZero<T extends object = Record<string, unknown>>(
    PoolType: POOL_TYPE,
    NumberOfBytes: number,
    Tag: PoolTag,
  ): T | null {
    return this.allocate<T>('ExAllocatePoolZero', PoolType, NumberOfBytes, Tag);
  }

  /** @internal An allocation by `routine` (its name in reports). */
  allocate<T extends object>(
    routine: string,
    PoolType: POOL_TYPE,
    NumberOfBytes: number,
    Tag: PoolTag,
  ): T | null {
    const k = this.#k;
    const max = PoolType === PagedPool ? APC_LEVEL : DISPATCH_LEVEL;
    if (!k.requireIrql(routine, max)) return null;
    if (k.allocationFails('pool', k.options.poolAllocationFailure)) {
      this.#trace('allocation-failed', undefined, Tag, NumberOfBytes);
      return null;
    }
    const block: Block = {
      id: this.#nextId++,
      poolType: PoolType,
      bytes: NumberOfBytes,
      tag: Tag,
      freed: false,
      at: k.sim.now,
      site: k.sim.recordSites ? callerSite() : null,
      freedAt: 0,
      freeSite: null,
      // Filling the block in the event that allocated it is part of the allocation.
      touchedIn: k.sim.eventsFired,
    };
    const proxy: object = new Proxy({}, new BlockAccess(k, block));
    this.#blocks.set(proxy, block);
    this.#live.set(block.id, block);
    this.#trace('allocated', block.id, Tag, NumberOfBytes);
    return proxy as T;
  }

  ExFreePoolWithTag(P: object, Tag: PoolTag): void {
    this.free(P, Tag, 'ExFreePoolWithTag');
  }

  /** ExFreePool (wdm.h): frees a block whatever its tag. */
  ExFreePool(P: object): void {
    this.free(P, null, 'ExFreePool');
  }

  /** @internal Whether `P` is a live pool block. */
  isLive(P: object): boolean {
    const block = this.#blocks.get(P);
    return block !== undefined && !block.freed;
  }

  /** @internal A free by `routine`; `Tag` null for no tag check. */
  free(P: object, Tag: PoolTag | null, routine: string): void {
    const k = this.#k;
    const block = this.#blocks.get(P);
    if (block === undefined) {
      return k.violation('POOL-FREE-FOREIGN', `${routine} on memory not from the pool`);
    }
    if (block.freed) {
      return k.violation('POOL-DOUBLE-FREE', `block #${block.id} tag ${tagText(block.tag)}`);
    }
    const max = block.poolType === PagedPool ? APC_LEVEL : DISPATCH_LEVEL;
    if (!k.requireIrql(routine, max)) return;
    if (Tag !== null && Tag !== block.tag) {
      return k.violation(
        'POOL-TAG-MISMATCH',
        `block #${block.id} allocated with tag ${tagText(block.tag)}, freed with ${tagText(Tag)}`,
      );
    }
    block.freed = true;
    block.freedAt = k.sim.now;
    block.touchedIn = -1;
    if (k.sim.recordSites) block.freeSite = callerSite();
    this.#live.delete(block.id);
    this.#trace('freed', block.id, block.tag, block.bytes);
  }

  /**
   * @internal An access to block `P` that no proxy saw (a C driver's load or store in its linear
   * memory, src/cdriver): traced as the proxy traces one, 'touched' on the block's first access
   * in the event, and checked by the caller.
   */
  touch(P: object): void {
    const block = this.#blocks.get(P);
    if (block !== undefined && block.touchedIn !== this.#k.sim.eventsFired) {
      traceTouch(this.#k, block);
    }
  }

  /** Outstanding allocations, in allocation order. */
  leaks(): readonly PoolLeak[] {
    return [...this.#live.values()].map((b) => ({
      tag: tagText(b.tag),
      bytes: b.bytes,
      poolType: b.poolType,
      ...(b.site !== null && { site: b.site }),
    }));
  }

  /** The record of an allocation or free: `block` is the id a violation names ('block #3'). */
  #trace(event: string, block: number | undefined, tag: PoolTag, bytes: number): void {
    const sim = this.#k.sim;
    const host = this.#k.host;
    const text = tagText(tag);
    sim.trace.emit({ at: sim.now, type: 'nt.pool', host, event, block, tag: text, bytes });
  }
}

/** The block's 'touched' record: its first access in this simulator event. */
function traceTouch(k: KernelCore, block: Block): void {
  const sim = k.sim;
  block.touchedIn = sim.eventsFired;
  const { host } = k;
  const { id: touched, bytes } = block;
  const at = sim.now;
  const tag = tagText(block.tag);
  sim.trace.emit({ at, type: 'nt.pool', host, event: 'touched', block: touched, tag, bytes });
}

/**
 * A freed block's three sites for a use-after-free report: its allocation, its free and the
 * access, each with its virtual time; a site is known when sites are recorded (runScenario's
 * re-run), the access's always.
 */
function blockHistory(block: Block, how: string, now: number): readonly string[] {
  const at = (site: string | null): string => (site === null ? '' : ` at ${site}`);
  const tag = tagText(block.tag);
  return [
    `allocated ${formatInstant(block.at)}${at(block.site)} (ExAllocatePoolWithTag, ${tag}, ` +
      `${block.bytes} bytes, pool block #${block.id})`,
    `freed ${formatInstant(block.freedAt)}${at(block.freeSite)} (ExFreePoolWithTag)`,
    `accessed ${formatInstant(now)}${at(callerSite())} (${how} after the free)`,
  ];
}

/**
 * A pool object's proxy handler: checks every access to its block. A class, so an allocation
 * makes one handler object and no closures.
 */
class BlockAccess implements ProxyHandler<object> {
  readonly #k: KernelCore;
  readonly #block: Block;

  constructor(k: KernelCore, block: Block) {
    this.#k = k;
    this.#block = block;
  }

  // The block is a plain object with plain data properties: reading or writing it directly is what
  // the access through the proxy does, without V8's slow path for a proxy as the receiver (a write
  // through it took twice as long).
  get(target: object, key: string | symbol): unknown {
    return this.#check(key, 'read') ? Reflect.get(target, key) : undefined;
  }

  set(target: object, key: string | symbol, value: unknown, receiver: object): boolean {
    if (!this.#check(key, 'write')) return true;
    // A list entry stored in a block knows the block, for CONTAINING_RECORD (lists.ts).
    if (value instanceof ListLink && value.container === null) value.container = receiver;
    return Reflect.set(target, key, value);
  }

  has(target: object, key: string | symbol): boolean {
    return this.#check(key, 'read') && Reflect.has(target, key);
  }

  deleteProperty(target: object, key: string | symbol): boolean {
    return this.#check(key, 'write') ? Reflect.deleteProperty(target, key) : true;
  }

  #check(key: string | symbol, how: string): boolean {
    // Symbol keys and `then` are read by the runtime (inspection, promise resolution of a
    // value that is a pool object), not by driver code: never a violation.
    if (typeof key === 'symbol' || key === 'then') return true;
    const k = this.#k;
    const block = this.#block;
    if (block.touchedIn !== k.sim.eventsFired) traceTouch(k, block);
    if (block.freed) {
      const history = blockHistory(block, how, k.sim.now);
      k.violation('POOL-USE-AFTER-FREE', `${this.#where(key, how)} after ExFreePoolWithTag`, {
        history,
      });
      return false;
    }
    if (block.poolType === PagedPool && k.irql >= DISPATCH_LEVEL) {
      k.violation('POOL-PAGED-AT-DISPATCH', `${this.#where(key, how)} at IRQL ${k.irql}`);
    }
    return true;
  }

  /** The access, for a report (made only when there is one: every access is checked). */
  #where(key: string, how: string): string {
    const block = this.#block;
    return `${how} of ${key} on pool block #${block.id} (${tagText(block.tag)})`;
  }
}
