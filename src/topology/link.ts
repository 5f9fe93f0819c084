/**
 * A link joins two nodes; each direction is a pipeline a packet passes through when it enters:
 *
 *   link down → drop 'link-down'; loss chance → drop 'loss'; bandwidth → wait for the
 *   transmitter (FIFO), drop 'queue-full' past capacity, serialize bytes·8/bandwidth;
 *   propagation → latency + jitter draw, clamped so that delivery times never go backwards
 *   (jitter alone does not reorder); reorder chance → skip the clamp and add an extra delay in
 *   [0, reorderDelay], so later packets may overtake this one; duplicate chance → a second copy
 *   with its own latency draw.
 *
 * Every random decision is a labelled call on the direction's own choice stream
 * ('link a→b'), created at setup so a draw on one link never shifts another. A chance with
 * probability 0 draws nothing, so a fault-free link costs no random numbers at all.
 * Queue occupancy is computed lazily from a FIFO of departure times: no event per departure.
 *
 * Left out: a random-victim drop policy (the queue is tail-drop), per-byte corruption, MTU and
 * fragmentation, and the copy's share of bandwidth (a duplicate is made past the transmitter,
 * as a misbehaving switch downstream would make it).
 */
import type { ChoiceSource, ChoiceStream } from '../sim/index.ts';
import type { ResolvedDirection, ResolvedLink } from './options.ts';
import type { Vertex } from './vertex.ts';

/** `admit` results below zero: why the packet was dropped on entry. */
export const DROP_LINK_DOWN = -1;
export const DROP_LOSS = -2;
export const DROP_QUEUE_FULL = -3;

/** The drop reason of an `admit` result below zero. */
export function admitDropReason(code: number): 'link-down' | 'loss' | 'queue-full' {
  if (code === DROP_LINK_DOWN) return 'link-down';
  return code === DROP_LOSS ? 'loss' : 'queue-full';
}

/** Departure instants of packets not yet fully transmitted, oldest first; grows by doubling. */
class DepartureRing {
  #slots = new Float64Array(8);
  #head = 0;
  length = 0;

  /** The oldest departure, or Infinity when empty. */
  get first(): number {
    return this.length === 0 ? Infinity : (this.#slots[this.#head] as number);
  }

  shift(): void {
    this.#head = (this.#head + 1) & (this.#slots.length - 1);
    this.length--;
  }

  push(at: number): void {
    if (this.length === this.#slots.length) this.#grow();
    this.#slots[(this.#head + this.length) & (this.#slots.length - 1)] = at;
    this.length++;
  }

  clear(): void {
    this.#head = 0;
    this.length = 0;
  }

  #grow(): void {
    const bigger = new Float64Array(this.#slots.length * 2);
    const mask = this.#slots.length - 1;
    const slots = this.#slots;
    for (let i = 0; i < this.length; i++) bigger[i] = slots[(this.#head + i) & mask] as number;
    this.#slots = bigger;
    this.#head = 0;
  }
}

/** One direction of a link: its options, its random stream, its transmitter and its counters. */
export class LinkDirection {
  readonly link: Link;
  readonly from: Vertex;
  readonly to: Vertex;
  readonly options: ResolvedDirection;
  /** 'a→b', for traces and snapshots. */
  readonly name: string;
  /** Label of delivery events on this direction. */
  readonly eventLabel: string;
  readonly #stream: ChoiceStream;
  readonly #lossLabel: string;
  readonly #jitterLabel: string;
  readonly #reorderLabel: string;
  readonly #reorderDelayLabel: string;
  readonly #duplicateLabel: string;
  readonly #nsPerByte: number;
  readonly #departures = new DepartureRing();
  #busyUntil = 0;
  #lastDelivery = 0;
  // The fate drawn for the packet being admitted (see admit); read right after by world.ts.
  #jitterNext = 0;
  #reorderNext = false;
  #reorderDelayNext = 0;
  #duplicateNext = false;
  #duplicateJitterNext = 0;
  /** Packets that entered this direction and were not dropped on entry. */
  admitted = 0;
  /** Packets dropped on entry, by loss, queue or link state. */
  dropped = 0;

  constructor(
    link: Link,
    from: Vertex,
    to: Vertex,
    options: ResolvedDirection,
    choices: ChoiceSource,
  ) {
    this.link = link;
    this.from = from;
    this.to = to;
    this.options = options;
    this.name = `${from.name}→${to.name}`;
    this.eventLabel = `link ${this.name}`;
    this.#stream = choices.stream(this.eventLabel);
    this.#lossLabel = `${this.eventLabel} loss`;
    this.#jitterLabel = `${this.eventLabel} jitter`;
    this.#reorderLabel = `${this.eventLabel} reorder`;
    this.#reorderDelayLabel = `${this.eventLabel} reorder-delay`;
    this.#duplicateLabel = `${this.eventLabel} duplicate`;
    this.#nsPerByte = 8e9 / options.bandwidth;
  }

  /**
   * A packet of `bytes` enters at `now`: returns the instant its last bit leaves the
   * transmitter, or a DROP_* code below zero.
   *
   * On a link that is up, the packet's whole fate (loss, jitter, reordering and its delay,
   * duplication and the copy's jitter) is drawn first, in this fixed order, whatever the
   * outcomes. So every packet costs the tape the same entries: flipping one loss or changing
   * one delay in a recorded tape changes that packet's fate and nothing after it, which is what
   * makes tapes editable by hand and shrinkable (docs/design.md#determinism-contract,
   * #exploration).
   */
  admit(now: number, bytes: number): number {
    if (!this.link.isUp) return this.#drop(DROP_LINK_DOWN);
    const lost = this.#drawFate();
    if (lost) return this.#drop(DROP_LOSS);
    this.admitted++;
    if (this.#nsPerByte === 0) return now;
    const departures = this.#departures;
    while (departures.first <= now) departures.shift();
    if (departures.length >= this.options.queuePackets) {
      this.admitted--;
      return this.#drop(DROP_QUEUE_FULL);
    }
    const start = this.#busyUntil > now ? this.#busyUntil : now;
    const departure = start + Math.round(bytes * this.#nsPerByte);
    this.#busyUntil = departure;
    departures.push(departure);
    return departure;
  }

  /** Draws the fate of the packet entering now; returns whether it is lost. */
  #drawFate(): boolean {
    const options = this.options;
    const stream = this.#stream;
    const lost = stream.chance(this.#lossLabel, options.loss);
    this.#jitterNext = this.#jitter();
    this.#reorderNext = stream.chance(this.#reorderLabel, options.reorder);
    this.#reorderDelayNext =
      options.reorder > 0 ? stream.between(this.#reorderDelayLabel, 0, options.reorderDelay) : 0;
    this.#duplicateNext = stream.chance(this.#duplicateLabel, options.duplicate);
    this.#duplicateJitterNext = options.duplicate > 0 ? this.#jitter() : 0;
    return lost;
  }

  /**
   * The delivery instant of the packet just admitted, which left the transmitter at `departure`.
   */
  arrival(departure: number): number {
    const at = departure + this.options.latency + this.#jitterNext;
    // Skipping the clamp, and not raising it, is what lets later packets overtake this one.
    if (this.#reorderNext) return at + this.#reorderDelayNext;
    return this.#clamp(at);
  }

  /** Whether the packet just admitted is also delivered a second time. */
  shouldDuplicate(): boolean {
    return this.#duplicateNext;
  }

  /** The delivery instant of the copy of the packet just admitted: never before the original. */
  duplicateArrival(departure: number): number {
    return this.#clamp(departure + this.options.latency + this.#duplicateJitterNext);
  }

  /** Without reordering, deliveries on a direction never go backwards: jitter alone keeps FIFO. */
  #clamp(at: number): number {
    if (at < this.#lastDelivery) return this.#lastDelivery;
    this.#lastDelivery = at;
    return at;
  }

  /** Packets waiting for or in transmission at `now` (lazily trimmed). */
  queued(now: number): number {
    const departures = this.#departures;
    while (departures.first <= now) departures.shift();
    return departures.length;
  }

  /** When the transmitter is next idle (0 on an unlimited link). */
  get busyUntil(): number {
    return this.#busyUntil;
  }

  /** A link that goes down loses its queue: everything in it is dropped on arrival anyway. */
  resetTransmitter(now: number): void {
    this.#departures.clear();
    this.#busyUntil = now;
  }

  #jitter(): number {
    const jitter = this.options.jitter;
    if (jitter.distribution === 'none') return 0;
    const stream = this.#stream;
    if (jitter.distribution === 'uniform') return stream.between(this.#jitterLabel, 0, jitter.max);
    return stream.exponential(this.#jitterLabel, jitter.mean, jitter.max);
  }

  #drop(code: number): number {
    this.dropped++;
    return code;
  }
}

/** A link between two nodes: created once, never removed; it can go down and up. */
export class Link {
  /** Creation order: routing breaks ties by it. */
  readonly index: number;
  /** 'a-b', as option paths name it (`links[a-b]`). */
  readonly name: string;
  readonly forward: LinkDirection;
  readonly reverse: LinkDirection;
  isUp = true;
  /**
   * Counts the times the link went down: a packet remembers it on entry, and is dropped as
   * 'link-down' on arrival if the link went down meanwhile, even if it came back up.
   */
  epoch = 0;

  constructor(
    index: number,
    a: Vertex,
    b: Vertex,
    options: ResolvedLink,
    choices: ChoiceSource,
  ) {
    this.index = index;
    this.name = `${a.name}-${b.name}`;
    this.forward = new LinkDirection(this, a, b, options.forward, choices);
    this.reverse = new LinkDirection(this, b, a, options.reverse, choices);
  }

  setUp(isUp: boolean, now: number): void {
    if (this.isUp === isUp) return;
    this.isUp = isUp;
    if (isUp) return;
    this.epoch++;
    this.forward.resetTransmitter(now);
    this.reverse.resetTransmitter(now);
  }
}
