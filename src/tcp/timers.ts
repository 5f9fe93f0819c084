/**
 * The stack's connection timers: an indexed binary min-heap of connections ordered by
 * (due time, id), each connection in it at most once (`heapIndex`), so a deadline can move either
 * way or disappear in O(log n) and an idle established connection costs nothing here.
 *
 * The stack keeps one host-scoped simulator event for the earliest entry and fires one
 * connection per event (re-arming at the next entry, possibly at the same instant), so every
 * connection timer is still its own simulator event, ordered with every other event of the run.
 * Compared with one simulator event per connection this allocates nothing per armed timer, and
 * timers that are disarmed (a SYN answered before its retransmission) leave no stale events —
 * 1e5 kept connections hold no timer state at all (docs/design.md#performance-metrics). Ties at one
 * instant go to the lower connection id: deterministic, and the order in which connections were
 * made.
 *
 * Each entry's due time and connection id sit in arrays parallel to the connections, so sifting
 * compares numbers in two dense arrays instead of reading scattered connection objects, and a
 * connection carries only its `heapIndex` (docs/design.md#performance-metrics).
 */
import type { Connection } from './connection.ts';

export class TimerHeap {
  readonly #items: Connection[] = [];
  /** Due time of each entry, parallel to #items. */
  readonly #at: number[] = [];
  /** Connection id of each entry (the tie-break), parallel to #items. */
  readonly #ids: number[] = [];

  get size(): number {
    return this.#items.length;
  }

  /** The connection due first, or undefined. */
  peek(): Connection | undefined {
    return this.#items[0];
  }

  /** When the first connection is due, or Infinity when the heap is empty. */
  firstAt(): number {
    return this.#items.length === 0 ? Infinity : this.#at[0] as number;
  }

  /** When `connection` is due, or -1 when it is not in the heap. */
  deadlineOf(connection: Connection): number {
    const index = connection.heapIndex;
    return index < 0 ? -1 : this.#at[index] as number;
  }

  /** Puts `connection` in the heap due at `at`, or moves it there. */
  set(connection: Connection, at: number): void {
    const index = connection.heapIndex;
    if (index < 0) {
      const last = this.#items.length;
      this.#items.push(connection);
      this.#at.push(at);
      this.#ids.push(connection.id);
      connection.heapIndex = last;
      this.#up(last);
    } else {
      this.#at[index] = at;
      this.#up(index);
      this.#down(connection.heapIndex);
    }
  }

  /** Takes `connection` out of the heap (no-op when it is not in it). */
  remove(connection: Connection): void {
    const index = connection.heapIndex;
    if (index < 0) return;
    const last = this.#items.pop() as Connection;
    const lastAt = this.#at.pop() as number;
    const lastId = this.#ids.pop() as number;
    connection.heapIndex = -1;
    if (last === connection) return;
    this.#items[index] = last;
    this.#at[index] = lastAt;
    this.#ids[index] = lastId;
    last.heapIndex = index;
    this.#up(index);
    this.#down(last.heapIndex);
  }

  /** Empties the heap (a crash). */
  clear(): void {
    for (const connection of this.#items) connection.heapIndex = -1;
    this.#items.length = 0;
    this.#at.length = 0;
    this.#ids.length = 0;
  }

  /** Moves the entry at `index` towards the root while it is due before its parent. */
  #up(index: number): void {
    const items = this.#items;
    const ats = this.#at;
    const ids = this.#ids;
    const item = items[index] as Connection;
    const at = ats[index] as number;
    const id = ids[index] as number;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(at, id, ats[parent] as number, ids[parent] as number)) break;
      this.#place(index, parent);
      index = parent;
    }
    items[index] = item;
    ats[index] = at;
    ids[index] = id;
    item.heapIndex = index;
  }

  /** Moves the entry at `index` towards the leaves while a child is due before it. */
  #down(index: number): void {
    const items = this.#items;
    const ats = this.#at;
    const ids = this.#ids;
    const length = items.length;
    const item = items[index] as Connection;
    const at = ats[index] as number;
    const id = ids[index] as number;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      const right = child + 1;
      if (right < length && this.#earlier(right, child)) child = right;
      if (!before(ats[child] as number, ids[child] as number, at, id)) break;
      this.#place(index, child);
      index = child;
    }
    items[index] = item;
    ats[index] = at;
    ids[index] = id;
    item.heapIndex = index;
  }

  /** Whether the entry at `i` is due before the entry at `j`. */
  #earlier(i: number, j: number): boolean {
    const ats = this.#at;
    const ids = this.#ids;
    return before(ats[i] as number, ids[i] as number, ats[j] as number, ids[j] as number);
  }

  /** Copies the entry at `from` to `to` (sifting leaves a hole that moves). */
  #place(to: number, from: number): void {
    const moved = this.#items[from] as Connection;
    this.#items[to] = moved;
    this.#at[to] = this.#at[from] as number;
    this.#ids[to] = this.#ids[from] as number;
    moved.heapIndex = to;
  }
}

/** (at, id) orders before (otherAt, otherId): earlier, or as early with a lower id. */
function before(at: number, id: number, otherAt: number, otherId: number): boolean {
  return at < otherAt || (at === otherAt && id < otherId);
}
