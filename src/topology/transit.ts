/**
 * A packet in flight and its trace. `Transit` is the one object the hot path allocates per
 * packet: it is the `Packet` the layer above receives, and it also carries what the world needs
 * between hops (the hosts at either end, the link direction it is on and that link's epoch), so
 * that a delivery event takes it as its argument and no closure is made per packet.
 * A duplicate is a second Transit with the same id.
 *
 * Packet trace records (docs/design.md#simulation-core-time-queue-choices-and-trace) have one
 * shape; absent fields are undefined, which the trace hash skips. `info` (the payload's
 * description) is filled only when records are kept, and never hashed, so the hot path builds no
 * strings and keeping records does not change the hash.
 */
import type { Simulator } from '../sim/index.ts';
import type { HostState } from './host.ts';
import type { LinkDirection } from './link.ts';
import type { Packet, Payload } from './packet.ts';
import type { FaultRecord, PacketPhase, PacketRecord } from './records.ts';

export class Transit<P extends Payload = Payload> implements Packet<P> {
  readonly id: number;
  readonly source: string;
  readonly target: string;
  readonly bytes: number;
  readonly payload: P;
  /** @internal the sending host */
  readonly from: HostState<P>;
  /** @internal the host owning `target`, once known */
  to: HostState<P> | null;
  /** @internal the link direction the packet is on, between entering and arriving */
  direction: LinkDirection | null = null;
  /** @internal the link's epoch when the packet entered it */
  linkEpoch = 0;

  constructor(
    id: number, source: string, target: string, bytes: number, payload: P,
    from: HostState<P>, to: HostState<P> | null,
  ) {
    this.id = id;
    this.source = source;
    this.target = target;
    this.bytes = bytes;
    this.payload = payload;
    this.from = from;
    this.to = to;
  }

  /** A second copy of the packet: same id, same content, its own journey. */
  copy(): Transit<P> {
    const { id, source, target, bytes, payload, from, to } = this;
    return new Transit(id, source, target, bytes, payload, from, to);
  }
}

/**
 * Emits the packet's trace record for `phase`, stamped with the current time. The payload's
 * description goes in the display-only `info` field, built only when records are kept and never
 * folded into the trace hash: a run hashes the same whether or not records are kept (the
 * payload's `digest` is what the hash sees of it).
 */
export function tracePacket(
  sim: Simulator, phase: PacketPhase, packet: Packet, reason: string | undefined,
): void {
  const trace = sim.trace;
  const record: PacketRecord = {
    at: sim.now,
    type: 'net.packet',
    phase,
    id: packet.id,
    source: packet.source,
    target: packet.target,
    bytes: packet.bytes,
    reason,
    digest: packet.payload.digest,
    info: trace.keep ? packet.payload.describe() : undefined,
  };
  trace.emit(record);
}

export function traceFault(sim: Simulator, verb: string, a: string, b: string | undefined): void {
  const record: FaultRecord = { at: sim.now, type: 'net.fault', verb, a, b };
  sim.trace.emit(record);
}
