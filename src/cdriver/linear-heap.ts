/**
 * The allocator of a C driver's linear memory above its static data (__heap_base): pool blocks,
 * the bridge's mirrors of IRPs and sockets, scratch space for callbacks' arguments, and each
 * system thread's stack and asyncify region. Deterministic by construction: first fit over a
 * free list kept in address order, every block zeroed, so the same calls give the same addresses.
 * The memory starts small and grows (whole 64 KiB pages, up to the module's maximum) only when no
 * free span fits: a run's instance costs what it uses.
 *
 * A freed block waits in a quarantine (first in, first out, QUARANTINE_BYTES) before it can be
 * handed out again, as AddressSanitizer's does, so a pointer used after its free does not at once
 * alias the next allocation (the shadow map would then say live). When no free span fits, the
 * memory grows rather than the quarantine being emptied; only at the module's maximum does the
 * quarantine give its blocks back early, oldest first, and `quarantineDrainedEarly` counts them.
 * Blocks are 16-byte aligned with a 16-byte gap after each (GAP), and the heap starts a gap above
 * __heap_base, so each block has a gap on both sides that no block owns: the redzones.
 *
 * The seam for a shadow map of pool memory: `HeapObserver` is told of every allocation and free,
 * with the block's address, size and kind; a checker of loads and stores plugs in there.
 */
import { SimConfigError } from '../sim/index.ts';

const ALIGN = 16;
/** Bytes after each block (and below the first) that no block owns: the shadow's redzones. */
export const GAP = 16;
const QUARANTINE_BYTES = 1 << 20;
const PAGE = 64 * 1024;

/** The linear memory the heap lays out: its bytes now, and growth by whole pages. */
export interface GrowableMemory {
  bytes(): Uint8Array;
  /** Adds `pages` pages; false when the module's maximum does not allow them. */
  grow(pages: number): boolean;
}

/** What a block is for, for an observer (pool blocks are the driver's; the rest the bridge's). */
export type BlockKind = 'pool' | 'irp' | 'socket' | 'scratch' | 'stack' | 'object';

/** Told of every allocation and free (the shadow map's seam). */
export interface HeapObserver {
  /** `tag`: a pool block's tag (0 for the bridge's blocks). */
  allocated(address: number, size: number, kind: BlockKind, tag: number): void;
  freed(address: number, size: number, kind: BlockKind): void;
}

interface Span {
  address: number;
  size: number;
}

export class LinearHeap {
  readonly #memory: GrowableMemory;
  /** Free spans in address order. */
  readonly #free: Span[];
  readonly #live = new Map<number, { size: number; kind: BlockKind }>();
  readonly #quarantine: Span[] = [];
  #quarantined = 0;
  /** Where memory never handed out begins: above it a fresh instance's memory is still zero. */
  #pristine: number;
  /** Quarantined blocks handed back before their turn because the memory could not grow. */
  quarantineDrainedEarly = 0;
  observer: HeapObserver | null = null;

  constructor(memory: GrowableMemory, base: number) {
    this.#memory = memory;
    const start = Math.ceil(base / ALIGN) * ALIGN + GAP;
    this.#free = [{ address: start, size: memory.bytes().length - start }];
    this.#pristine = start;
  }

  /** A zeroed block of `size` bytes (at least 1), or 0 when memory is exhausted. */
  allocate(size: number, kind: BlockKind, tag = 0): number {
    const need = Math.ceil(Math.max(size, 1) / ALIGN) * ALIGN + GAP;
    const fits = (span: Span): boolean => span.size >= need;
    let index = this.#free.findIndex(fits);
    // Growing first: emptying the quarantine instead would hand a freed block out at once.
    if (index < 0 && this.#grow(need)) index = this.#free.findIndex(fits);
    while (index < 0 && this.#quarantine.length > 0) {
      this.quarantineDrainedEarly += this.#drainOne();
      index = this.#free.findIndex(fits);
    }
    const span = this.#free[index];
    if (span === undefined) return 0;
    const address = span.address;
    span.address += need;
    span.size -= need;
    if (span.size === 0) this.#free.splice(index, 1);
    const used = Math.min(address + need, this.#pristine);
    if (address < used) this.#memory.bytes().fill(0, address, used);
    this.#pristine = Math.max(this.#pristine, address + need);
    this.#live.set(address, { size: need, kind });
    this.observer?.allocated(address, size, kind, tag);
    return address;
  }

  /** Frees a block `allocate` returned; false when `address` is not a live block's start. */
  free(address: number): boolean {
    const block = this.#live.get(address);
    if (block === undefined) return false;
    this.#live.delete(address);
    this.observer?.freed(address, block.size, block.kind);
    this.#quarantine.push({ address, size: block.size });
    this.#quarantined += block.size;
    this.#drainQuarantine(QUARANTINE_BYTES);
    return true;
  }

  /** The kind of the live block starting at `address`, if any. */
  kindAt(address: number): BlockKind | undefined {
    return this.#live.get(address)?.kind;
  }

  /** Grows the memory so that a span of `need` bytes is free at its end. */
  #grow(need: number): boolean {
    const end = this.#memory.bytes().length;
    const last = this.#free.at(-1);
    const tail = last !== undefined && last.address + last.size === end ? last.size : 0;
    const pages = Math.ceil((need - tail) / PAGE);
    if (!this.#memory.grow(pages)) return false;
    this.#release({ address: end, size: pages * PAGE });
    return true;
  }

  #drainQuarantine(limit: number): void {
    while (this.#quarantined > limit && this.#drainOne() > 0);
  }

  /** Hands the oldest quarantined block back to the free list: 1, or 0 when there is none. */
  #drainOne(): number {
    const span = this.#quarantine.shift();
    if (span === undefined) return 0;
    this.#quarantined -= span.size;
    this.#release(span);
    return 1;
  }

  /** Returns a span to the free list, merged with its neighbours. */
  #release(span: Span): void {
    const free = this.#free;
    let i = 0;
    while (i < free.length && (free[i] as Span).address < span.address) i++;
    free.splice(i, 0, { ...span });
    const merge = (at: number): void => {
      const a = free[at];
      const b = free[at + 1];
      if (a === undefined || b === undefined || a.address + a.size !== b.address) return;
      a.size += b.size;
      free.splice(at + 1, 1);
    };
    merge(i);
    if (i > 0) merge(i - 1);
  }
}

/** A heap too small for what the bridge needs at load: the scenario cannot be honoured. */
export function heapExhausted(what: string): never {
  throw new SimConfigError('loadDriver', `the driver's linear memory is exhausted (${what})`);
}
