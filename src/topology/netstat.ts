/**
 * A `netstat`-like snapshot of the network: hosts with their counters, each link direction with
 * its queue and counters, the faults in force and drops by reason. It is built from counters the
 * packet path keeps anyway, so taking one costs only the copy; it is frozen plain data, never a
 * live reference into the world (docs/design.md#options-are-data-state-is-separate).
 */
import type { LinkDirection } from './link.ts';
import type { Payload } from './packet.ts';
import type { World } from './world.ts';

export interface HostSnapshot {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly isUp: boolean;
  /** Packets the host sent (accepted by send). */
  readonly sent: number;
  /** Packets delivered to the host. */
  readonly received: number;
}

export interface DirectionSnapshot {
  /** 'a→b' */
  readonly name: string;
  /** Packets that entered and were not dropped on entry. */
  readonly admitted: number;
  /** Packets dropped on entry (link down, loss, queue full). */
  readonly dropped: number;
  /** Packets waiting for or in transmission now. */
  readonly queued: number;
  /** When the transmitter is next idle, in ns (0 on an unlimited link that never sent). */
  readonly busyUntil: number;
}

export interface LinkSnapshot {
  /** 'a-b' */
  readonly name: string;
  readonly isUp: boolean;
  readonly forward: DirectionSnapshot;
  readonly reverse: DirectionSnapshot;
}

export interface NetworkSnapshot {
  readonly now: number;
  readonly hosts: readonly HostSnapshot[];
  readonly links: readonly LinkSnapshot[];
  /** Directed partitions in force, 'a→b'. */
  readonly partitions: readonly string[];
  /** Holds in force, with the packets each has buffered. */
  readonly holds: readonly { readonly between: string; readonly buffered: number }[];
  /** Packets delivered to any host. */
  readonly delivered: number;
  /** Drops by reason, in first-seen order. */
  readonly drops: Readonly<Record<string, number>>;
}

function directionSnapshot(direction: LinkDirection, now: number): DirectionSnapshot {
  return Object.freeze({
    name: direction.name,
    admitted: direction.admitted,
    dropped: direction.dropped,
    queued: direction.queued(now),
    busyUntil: direction.busyUntil,
  });
}

export function takeSnapshot<P extends Payload>(world: World<P>): NetworkSnapshot {
  const now = world.sim.now;
  const hosts: HostSnapshot[] = [];
  for (const node of world.nodes) {
    const host = node.host;
    if (host === null) continue;
    hosts.push(Object.freeze({
      name: host.name, addresses: host.addresses, isUp: host.isUp,
      sent: host.sent, received: host.received,
    }));
  }
  const links = world.links.map((link) => Object.freeze({
    name: link.name,
    isUp: link.isUp,
    forward: directionSnapshot(link.forward, now),
    reverse: directionSnapshot(link.reverse, now),
  }));
  const holds = world.faults.holds().map(({ a, b, buffer }) => Object.freeze({
    between: `${world.nodes[a]?.name ?? '?'}-${world.nodes[b]?.name ?? '?'}`,
    buffered: buffer.length,
  }));
  return Object.freeze({
    now,
    hosts: Object.freeze(hosts),
    links: Object.freeze(links),
    partitions: Object.freeze(world.faults.partitions(world.nodes)),
    holds: Object.freeze(holds),
    delivered: world.delivered,
    drops: Object.freeze(Object.fromEntries(world.drops)),
  });
}
