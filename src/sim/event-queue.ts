/**
 * The event queue: a binary heap (tinyqueue) ordered by (time, insertion sequence), so events due
 * at the same instant run in the order they were scheduled, as in ns-3 and SimPy. Ties are never
 * left to heap internals (docs/design.md#simulation-core-time-queue-choices-and-trace). Cancelled
 * events stay in the heap and are skipped when they reach the top: cancelling is O(1), and the
 * pending count excludes them.
 */
import TinyQueue from 'tinyqueue';
import type { Instant } from './time.ts';

/** A scheduled event; also the handle returned to whoever scheduled it. */
export class SimEvent<T = unknown> {
  readonly at: Instant;
  readonly seq: number;
  readonly label: string;
  /** @internal */ readonly fire: (arg: T) => void;
  /** @internal */ readonly arg: T;
  /** @internal */ owner: EventQueue | null;

  constructor(
    at: Instant,
    seq: number,
    label: string,
    fire: (arg: T) => void,
    arg: T,
    owner: EventQueue,
  ) {
    this.at = at;
    this.seq = seq;
    this.label = label;
    this.fire = fire;
    this.arg = arg;
    this.owner = owner;
  }

  /** True until the event has fired or been cancelled. */
  get isPending(): boolean {
    return this.owner !== null;
  }

  /** Cancels the event if it has not fired; a cancelled event never fires. Idempotent. */
  cancel(): void {
    if (this.owner === null) return;
    this.owner.live--;
    this.owner = null;
  }
}

function runsBefore(a: SimEvent, b: SimEvent): number {
  return a.at - b.at || a.seq - b.seq;
}

export class EventQueue {
  readonly #heap = new TinyQueue<SimEvent>([], runsBefore);
  #seq = 0;
  /** @internal Events scheduled and neither fired nor cancelled. */
  live = 0;

  push<T>(at: Instant, label: string, fire: (arg: T) => void, arg: T): SimEvent<T> {
    const event = new SimEvent(at, this.#seq++, label, fire, arg, this);
    this.#heap.push(event as SimEvent);
    this.live++;
    return event;
  }

  /** The next live event without removing it, dropping cancelled ones on the way. */
  peek(): SimEvent | undefined {
    const heap = this.#heap;
    let top = heap.peek();
    while (top !== undefined && top.owner === null) {
      heap.pop();
      top = heap.peek();
    }
    return top;
  }

  /** Removes and returns the next live event; it counts as fired from here on. */
  pop(): SimEvent | undefined {
    const top = this.peek();
    if (top !== undefined) this.popPeeked(top);
    return top;
  }

  /** Removes `top`, which the caller just had from peek(); it counts as fired from here on. */
  popPeeked(top: SimEvent): void {
    this.#heap.pop();
    top.owner = null;
    this.live--;
  }

  /**
   * Removes the next live event from the heap without firing it: it stays live (cancellable)
   * while the caller holds it, as the same-instant batch does.
   */
  detach(): SimEvent | undefined {
    const top = this.peek();
    if (top !== undefined) this.#heap.pop();
    return top;
  }

  /** Puts back an event detach() removed and the caller still holds; it keeps its place. */
  reattach(event: SimEvent): void {
    if (event.owner === this) this.#heap.push(event);
  }

  get size(): number {
    return this.live;
  }
}
