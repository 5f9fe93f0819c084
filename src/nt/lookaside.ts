/**
 * Non-paged lookaside lists (WDK reference pages "ExInitializeNPagedLookasideList function
 * (wdm.h)", "ExAllocateFromNPagedLookasideList function (wdm.h)", "ExFreeToNPagedLookasideList
 * function (wdm.h)", "ExDeleteNPagedLookasideList function (wdm.h)"): a cache of fixed-size
 * pool blocks.
 * - ExInitializeNPagedLookasideList(Lookaside, Allocate, Free, Flags, Size, Tag, Depth): Allocate
 *   and Free are the driver's routines or null for ExAllocatePoolWithTag(NonPagedPoolNx) and
 *   ExFreePool; Flags and Depth are accepted (Depth is reserved, 0).
 * - ExAllocateFromNPagedLookasideList takes a cached entry, else allocates one (a pool block of
 *   Size bytes and Tag: it may fail, the choice 'pool allocation fails'); IRQL ≤ DISPATCH_LEVEL.
 * - ExFreeToNPagedLookasideList caches the entry, up to the list's depth (policy: 4 entries,
 *   docs/policies.md#kernel-routine-policies; Windows tunes the depth itself), and frees the
 *   rest. An entry that did not come from this list (another list, or plain pool) is
 *   LOOKASIDE-FREE-WRONG-LIST; one freed to it twice (already cached) is LOOKASIDE-FREE-TWICE.
 * - ExDeleteNPagedLookasideList frees the cached entries; any use of the list after it is
 *   LOOKASIDE-USE-AFTER-DELETE. Entries the driver still holds are pool blocks: never freed, they
 *   are POOL-LEAKED at the end of the run, by the list's tag. A list never deleted leaves its
 *   cached entries, also reported by POOL-LEAKED.
 */
import { DISPATCH_LEVEL } from './irql.ts';
import type { KernelCore } from './kernel-core.ts';
import { NonPagedPoolNx, type POOL_TYPE, type PoolManager, type PoolTag } from './pool.ts';

export type PALLOCATE_FUNCTION = (
  PoolType: POOL_TYPE,
  NumberOfBytes: number,
  Tag: PoolTag,
) => object | null;
export type PFREE_FUNCTION = (Buffer: object) => void;

/** The cached-entry depth (a policy: docs/policies.md#kernel-routine-policies). */
export const LOOKASIDE_DEPTH = 4;

export class NPAGED_LOOKASIDE_LIST {
  /** @internal */ initialized = false;
  /** @internal */ deleted = false;
  /** @internal */ size = 0;
  /** @internal */ tag: PoolTag = 0;
  /** @internal */ allocate: PALLOCATE_FUNCTION | null = null;
  /** @internal */ free: PFREE_FUNCTION | null = null;
  /** @internal cached entries */ readonly cached: object[] = [];
}
export type PNPAGED_LOOKASIDE_LIST = NPAGED_LOOKASIDE_LIST;

export class LookasideManager {
  readonly #k: KernelCore;
  readonly #pool: PoolManager;
  /** Which list each entry came from. */
  readonly #origin = new WeakMap<object, NPAGED_LOOKASIDE_LIST>();

  constructor(kernel: KernelCore, pool: PoolManager) {
    this.#k = kernel;
    this.#pool = pool;
  }

  ExInitializeNPagedLookasideList(
    Lookaside: NPAGED_LOOKASIDE_LIST,
    Allocate: PALLOCATE_FUNCTION | null,
    Free: PFREE_FUNCTION | null,
    Flags: number,
    Size: number,
    Tag: PoolTag,
    Depth: number,
  ): void {
    void Flags;
    void Depth;
    Lookaside.initialized = true;
    Lookaside.deleted = false;
    Lookaside.size = Size;
    Lookaside.tag = Tag;
    Lookaside.allocate = Allocate;
    Lookaside.free = Free;
    Lookaside.cached.length = 0;
  }

  ExAllocateFromNPagedLookasideList<T extends object = Record<string, unknown>>(
    Lookaside: NPAGED_LOOKASIDE_LIST,
  ): T | null {
    const routine = 'ExAllocateFromNPagedLookasideList';
    if (!this.#usable(Lookaside, routine)) return null;
    const cached = Lookaside.cached.pop();
    if (cached !== undefined) return cached as T;
    const entry =
      Lookaside.allocate !== null
        ? Lookaside.allocate(NonPagedPoolNx, Lookaside.size, Lookaside.tag)
        : this.#pool.allocate(routine, NonPagedPoolNx, Lookaside.size, Lookaside.tag);
    if (entry !== null) this.#origin.set(entry, Lookaside);
    return entry as T | null;
  }

  ExFreeToNPagedLookasideList(Lookaside: NPAGED_LOOKASIDE_LIST, Entry: object): void {
    const k = this.#k;
    if (!this.#usable(Lookaside, 'ExFreeToNPagedLookasideList')) return;
    if (this.#origin.get(Entry) !== Lookaside) {
      const from = this.#origin.has(Entry) ? 'another lookaside list' : 'no lookaside list';
      const detail = `ExFreeToNPagedLookasideList of an entry from ${from}`;
      k.violation('LOOKASIDE-FREE-WRONG-LIST', detail);
      return;
    }
    if (Lookaside.cached.includes(Entry)) {
      k.violation('LOOKASIDE-FREE-TWICE', 'ExFreeToNPagedLookasideList of an entry already freed');
      return;
    }
    if (Lookaside.cached.length < LOOKASIDE_DEPTH) Lookaside.cached.push(Entry);
    else this.#release(Lookaside, Entry);
  }

  ExDeleteNPagedLookasideList(Lookaside: NPAGED_LOOKASIDE_LIST): void {
    if (!this.#usable(Lookaside, 'ExDeleteNPagedLookasideList')) return;
    for (const entry of Lookaside.cached.splice(0)) this.#release(Lookaside, entry);
    Lookaside.deleted = true;
  }

  #release(Lookaside: NPAGED_LOOKASIDE_LIST, Entry: object): void {
    this.#origin.delete(Entry);
    if (Lookaside.free !== null) Lookaside.free(Entry);
    else this.#pool.free(Entry, null, 'ExFreeToNPagedLookasideList');
  }

  #usable(Lookaside: NPAGED_LOOKASIDE_LIST, routine: string): boolean {
    const k = this.#k;
    if (Lookaside.deleted) {
      k.violation('LOOKASIDE-USE-AFTER-DELETE', `${routine} after ExDeleteNPagedLookasideList`);
      return false;
    }
    if (!Lookaside.initialized) {
      k.violation('OBJECT-NOT-INITIALIZED', `${routine} on a list never initialised`);
      return false;
    }
    return k.requireIrql(routine, DISPATCH_LEVEL);
  }
}
