/**
 * Fault verbs (docs/design.md#options-are-data-state-is-separate): partition and heal, both ways or
 * one way, between two hosts; link down and up; hold and release between two hosts; host crash and
 * restart. Each verb is resolved (names checked) when it is called and applied either at once or as
 * a simulator event at a virtual time, and is traced as `{type: 'net.fault', verb, a, b}` when
 * applied.
 *
 * Where each fault bites:
 * - partition: packets between the two hosts are dropped 'partition' at send and again at final
 *   delivery, so a partition that starts while a packet is in flight still stops it;
 * - link down: packets entering the link, and those on it when it went down, are dropped
 *   'link-down' (the latter at their delivery time), and routing avoids the link;
 * - hold: packets between the two hosts are buffered on arrival at their final destination;
 *   release delivers them in arrival order, as events at the release instant;
 * - crash: see host.ts.
 *
 * Left out: random partitions with probability and stability pairs (TigerBeetle's VOPR);
 * a scenario or an exploration strategy can schedule verbs from a seeded stream instead.
 */
import type { HostState } from './host.ts';
import type { Link } from './link.ts';
import type { NodeState } from './node.ts';
import type { Payload } from './packet.ts';
import type { Transit } from './transit.ts';
import type { Vertex } from './vertex.ts';

export type FaultVerb =
  | 'partition' | 'heal' | 'partition-one-way' | 'heal-one-way'
  | 'link-down' | 'link-up' | 'hold' | 'release' | 'crash' | 'restart';

/** A verb with its resolved operands, ready to apply now or later. */
export interface Fault {
  readonly verb: FaultVerb;
  readonly a: NodeState;
  readonly b: NodeState | null;
  /** For link-down and link-up. */
  readonly link: Link | null;
}

/** Node indices stay below this, so a pair of them is one safe-integer key. */
export const NODE_LIMIT = 1 << 20;

function directedKey(from: Vertex, to: Vertex): number {
  return from.index * NODE_LIMIT + to.index;
}

function pairKey(a: Vertex, b: Vertex): number {
  return a.index < b.index ? directedKey(a, b) : directedKey(b, a);
}

/** Partitions and holds in force. */
export class FaultState<P extends Payload = Payload> {
  /** Directed host pairs whose packets are dropped. */
  readonly #partitions = new Set<number>();
  /** Unordered host pairs on hold, each with its buffer in arrival order. */
  readonly #holds = new Map<number, Transit<P>[]>();

  isPartitioned(from: HostState<P>, to: HostState<P>): boolean {
    return this.#partitions.size !== 0 && this.#partitions.has(directedKey(from.node, to.node));
  }

  /** Buffers the packet if its two hosts are on hold; true when it did. */
  bufferIfHeld(packet: Transit<P>, to: HostState<P>): boolean {
    if (this.#holds.size === 0) return false;
    const buffer = this.#holds.get(pairKey(packet.from.node, to.node));
    if (buffer === undefined) return false;
    buffer.push(packet);
    return true;
  }

  partition(from: NodeState, to: NodeState): void {
    this.#partitions.add(directedKey(from, to));
  }

  heal(from: NodeState, to: NodeState): void {
    this.#partitions.delete(directedKey(from, to));
  }

  hold(a: NodeState, b: NodeState): void {
    const key = pairKey(a, b);
    if (!this.#holds.has(key)) this.#holds.set(key, []);
  }

  /** Ends the hold and hands back what was buffered, in arrival order. */
  release(a: NodeState, b: NodeState): Transit<P>[] {
    const key = pairKey(a, b);
    const buffer = this.#holds.get(key) ?? [];
    this.#holds.delete(key);
    return buffer;
  }

  /** Each directed partition as [from, to] node indices. */
  partitionPairs(): [number, number][] {
    return [...this.#partitions].map((key) => [Math.floor(key / NODE_LIMIT), key % NODE_LIMIT]);
  }

  /** 'a→b' for each directed partition, by node index (for snapshots). */
  partitions(nodes: readonly NodeState[]): string[] {
    return [...this.#partitions].map((key) => {
      const from = nodes[Math.floor(key / NODE_LIMIT)] as NodeState;
      const to = nodes[key % NODE_LIMIT] as NodeState;
      return `${from.name}→${to.name}`;
    });
  }

  /** Every hold: the two node indices and the buffer. */
  holds(): { readonly a: number; readonly b: number; readonly buffer: readonly Transit<P>[] }[] {
    return [...this.#holds].map(([key, buffer]) => ({
      a: Math.floor(key / NODE_LIMIT), b: key % NODE_LIMIT, buffer,
    }));
  }
}

/** What applying a verb needs from the world. */
export interface FaultTarget<P extends Payload> {
  readonly faults: FaultState<P>;
  setLinkUp(link: Link, isUp: boolean): void;
  crash(host: HostState<P>): void;
  restart(host: HostState<P>): void;
  deliverReleased(packets: readonly Transit<P>[], label: string): void;
}

function hostOf<P extends Payload>(node: NodeState): HostState<P> {
  return node.host as HostState<P>;
}

/** Applies one verb now; the caller traces it. */
export function applyFault<P extends Payload>(world: FaultTarget<P>, fault: Fault): void {
  const { a } = fault;
  const b = fault.b as NodeState;
  switch (fault.verb) {
    case 'partition':
      world.faults.partition(a, b);
      return world.faults.partition(b, a);
    case 'heal':
      world.faults.heal(a, b);
      return world.faults.heal(b, a);
    case 'partition-one-way':
      return world.faults.partition(a, b);
    case 'heal-one-way':
      return world.faults.heal(a, b);
    case 'link-down':
      return world.setLinkUp(fault.link as Link, false);
    case 'link-up':
      return world.setLinkUp(fault.link as Link, true);
    case 'hold':
      return world.faults.hold(a, b);
    case 'release':
      return world.deliverReleased(world.faults.release(a, b), `release ${a.name}-${b.name}`);
    case 'crash':
      return world.crash(hostOf<P>(a));
    case 'restart':
      return world.restart(hostOf<P>(a));
  }
}

/** Which operands a verb takes: two hosts, two nodes joined by a link, or one host. */
export function operandsOf(verb: FaultVerb): 'hosts' | 'link' | 'host' {
  if (verb === 'link-down' || verb === 'link-up') return 'link';
  if (verb === 'crash' || verb === 'restart') return 'host';
  return 'hosts';
}
