/**
 * Demultiplexing and ports for one host (docs/tcp.md#ephemeral-ports-time-wait-and-4-tuples): at
 * most one connection per 4-tuple (local address, local port, remote address, remote port), and the
 * count of active opens bound to each local port, which decides what is free under the profile's
 * port sharing:
 * - 'exclusive' (windows): a local port used by any connection, TIME-WAIT included, is not handed
 *   out again until that connection is gone (docs/tcp.md#ephemeral-ports-time-wait-and-4-tuples;
 *   #scenario-expectations, S14);
 * - 'four-tuple' (linux): a port may be reused towards another remote endpoint.
 * Ports with a listener are never handed out as ephemeral ports.
 *
 * Lookup allocates nothing: connections sit in one map per (local address, remote address),
 * keyed by both ports packed into one small integer (no boxed number keys).
 */
import { assert, type ChoiceStream } from '../sim/index.ts';
import type { Connection } from './connection.ts';
import type { TcpProfile } from './profiles.ts';

/**
 * A count per port, kept for the ports whose count is not 0: a host uses a handful of ports (every
 * scenario run), and a map of those costs a few hundred bytes (pages of 256 ports cost 2 KB each
 * and two page indexes 2 KB more, per table per host per run). A look-up stays O(1).
 */
class PortCounts {
  readonly #counts = new Map<number, number>();

  get(port: number): number {
    return this.#counts.get(port) ?? 0;
  }

  set(port: number, count: number): void {
    if (count === 0) this.#counts.delete(port);
    else this.#counts.set(port, count);
  }

  clear(): void {
    this.#counts.clear();
  }
}

/** Which local ports have a listener (the stack's ListenerTable). */
export interface ListeningPorts {
  has(port: number): boolean;
}

/** The key of a 4-tuple within one (local address, remote address) map: both ports in an int32. */
export function tupleKey(localPort: number, remotePort: number): number {
  return ((localPort << 16) | remotePort) | 0;
}

export class ConnectionTable {
  /** Per local address index: per remote address: connections by tupleKey. */
  readonly #byLocal: Map<string, Map<number, Connection>>[] = [];
  /** Active opens bound to each local port (across all local addresses). */
  readonly #portUse = new PortCounts();
  /**
   * Per local port: connections in the table whose outcome is still null (TIME-WAIT ones have
   * reported theirs). Kept by add / delete / settled / clear; never negative.
   */
  readonly #live = new PortCounts();
  /** The sum of #live (lets checkLive compare without scanning every port). */
  #liveTotal = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(localIndex: number, remoteAddress: string, key: number): Connection | undefined {
    return this.#byLocal[localIndex]?.get(remoteAddress)?.get(key);
  }

  has(localIndex: number, remoteAddress: string, key: number): boolean {
    return this.#byLocal[localIndex]?.get(remoteAddress)?.has(key) === true;
  }

  add(connection: Connection, localIndex: number, holdsPort: boolean): void {
    const byRemote = (this.#byLocal[localIndex] ??= new Map());
    let byKey = byRemote.get(connection.remoteAddress);
    if (byKey === undefined) {
      byKey = new Map();
      byRemote.set(connection.remoteAddress, byKey);
    }
    const key = tupleKey(connection.localPort, connection.remotePort);
    const previous = byKey.get(key);
    if (previous !== undefined && previous !== connection && previous.outcome === null) {
      this.#unlive(previous.localPort);
    }
    byKey.set(key, connection);
    this.#size++;
    if (connection.outcome === null) {
      this.#live.set(connection.localPort, this.liveOnPort(connection.localPort) + 1);
      this.#liveTotal++;
    }
    if (holdsPort) this.#portUse.set(connection.localPort, this.portUse(connection.localPort) + 1);
  }

  delete(connection: Connection, localIndex: number, holdsPort: boolean): void {
    const byKey = this.#byLocal[localIndex]?.get(connection.remoteAddress);
    const key = tupleKey(connection.localPort, connection.remotePort);
    if (byKey?.get(key) !== connection) return;
    byKey.delete(key);
    this.#size--;
    if (connection.outcome === null) this.#unlive(connection.localPort);
    if (holdsPort) this.#portUse.set(connection.localPort, this.portUse(connection.localPort) - 1);
  }

  /** Active opens bound to a local port. */
  portUse(port: number): number {
    return this.#portUse.get(port);
  }

  /** The connection got its outcome (the owner's `reported` hook): it no longer counts as live. */
  settled(connection: Connection, localIndex: number): void {
    const key = tupleKey(connection.localPort, connection.remotePort);
    if (this.get(localIndex, connection.remoteAddress, key) !== connection) return;
    this.#unlive(connection.localPort);
  }

  /** Connections in the table on local port `port` whose outcome is still null. */
  liveOnPort(port: number): number {
    return this.#live.get(port);
  }

  /** Throws when the live counts disagree with a recount of the table (checkInvariants). */
  checkLive(): void {
    const recount = new Map<number, number>();
    let total = 0;
    for (const connection of this.connections()) {
      if (connection.outcome !== null) continue;
      recount.set(connection.localPort, (recount.get(connection.localPort) ?? 0) + 1);
      total++;
    }
    assert(total === this.#liveTotal, `tcp: ${this.#liveTotal} live connections, not ${total}`);
    for (const [port, count] of recount) {
      if (count !== this.#live.get(port)) {
        assert(false, `tcp: live count of port ${port} is ${this.#live.get(port)}, not ${count}`);
      }
    }
  }

  #unlive(port: number): void {
    const count = this.#live.get(port) - 1;
    assert(count >= 0, `tcp: live count of port ${port} below zero`);
    this.#live.set(port, count);
    this.#liveTotal--;
  }

  /** Every connection, in insertion order per remote address. */
  *connections(): Generator<Connection> {
    for (const byRemote of this.#byLocal) {
      if (byRemote === undefined) continue;
      for (const byKey of byRemote.values()) yield* byKey.values();
    }
  }

  clear(): void {
    this.#byLocal.length = 0;
    this.#portUse.clear();
    this.#live.clear();
    this.#liveTotal = 0;
    this.#size = 0;
  }

  /**
   * An ephemeral port for a connection from `localIndex` to (remote, remotePort), or null when
   * the range is exhausted. The first candidate is a labelled draw from the host's port stream
   * (the order is seeded, docs/tcp.md#ephemeral-ports-time-wait-and-4-tuples); the search goes up
   * from there, wrapping.
   */
  pickEphemeral(
    profile: TcpProfile, ports: ChoiceStream, listening: ListeningPorts,
    localIndex: number, remoteAddress: string, remotePort: number,
  ): number | null {
    const min = profile.ephemeralPortMin;
    const span = profile.ephemeralPortMax - min + 1;
    const start = ports.between('tcp: ephemeral port', 0, span - 1);
    const exclusive = profile.portSharing === 'exclusive';
    // The connections to this remote address: looked up once, not once per probe.
    const byKey = exclusive ? undefined : this.#byLocal[localIndex]?.get(remoteAddress);
    for (let i = 0; i < span; i++) {
      const port = min + ((start + i) % span);
      if (listening.has(port)) continue;
      const free = exclusive
        ? this.#portUse.get(port) === 0
        : byKey === undefined || !byKey.has(tupleKey(port, remotePort));
      if (free) return port;
    }
    return null;
  }
}
