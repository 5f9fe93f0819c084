/**
 * The stack's connection timers: an indexed binary min-heap of connections ordered by
 * (timerAt, id), each connection in it at most once (`heapIndex`), so a deadline can move either
 * way or disappear in O(log n) and an idle established connection costs nothing here.
 *
 * The stack keeps one host-scoped simulator event for the earliest entry and fires one
 * connection per event (re-arming at the next entry, possibly at the same instant), so every
 * connection timer is still its own simulator event, ordered with every other event of the run.
 * Compared with one simulator event per connection this allocates nothing per armed timer, and
 * timers that are disarmed (a SYN answered before its retransmission) leave no stale events —
 * 1e5 kept connections hold no timer state at all (DESIGN.md §8). Ties at one instant go to the
 * lower connection id: deterministic, and the order in which connections were made.
 */
import type { Connection } from './connection.ts';

export class TimerHeap {
  readonly #items: Connection[] = [];

  get size(): number {
    return this.#items.length;
  }

  /** The connection due first, or undefined. */
  peek(): Connection | undefined {
    return this.#items[0];
  }

  /** Puts `connection` in the heap due at `at`, or moves it there. */
  set(connection: Connection, at: number): void {
    const index = connection.heapIndex;
    connection.timerAt = at;
    if (index < 0) {
      connection.heapIndex = this.#items.length;
      this.#items.push(connection);
      this.#up(connection.heapIndex);
    } else {
      this.#up(index);
      this.#down(connection.heapIndex);
    }
  }

  /** Takes `connection` out of the heap (no-op when it is not in it). */
  remove(connection: Connection): void {
    const index = connection.heapIndex;
    if (index < 0) return;
    const last = this.#items.pop() as Connection;
    connection.heapIndex = -1;
    connection.timerAt = Infinity;
    if (last === connection) return;
    this.#items[index] = last;
    last.heapIndex = index;
    this.#up(index);
    this.#down(last.heapIndex);
  }

  /** Empties the heap (a crash). */
  clear(): void {
    for (const connection of this.#items) {
      connection.heapIndex = -1;
      connection.timerAt = Infinity;
    }
    this.#items.length = 0;
  }

  #up(index: number): void {
    const items = this.#items;
    const item = items[index] as Connection;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex] as Connection;
      if (!before(item, parent)) break;
      items[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    items[index] = item;
    item.heapIndex = index;
  }

  #down(index: number): void {
    const items = this.#items;
    const length = items.length;
    const item = items[index] as Connection;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      const right = child + 1;
      if (right < length && before(items[right] as Connection, items[child] as Connection)) {
        child = right;
      }
      const next = items[child] as Connection;
      if (!before(next, item)) break;
      items[index] = next;
      next.heapIndex = index;
      index = child;
    }
    items[index] = item;
    item.heapIndex = index;
  }
}

function before(a: Connection, b: Connection): boolean {
  return a.timerAt < b.timerAt || (a.timerAt === b.timerAt && a.id < b.id);
}
