/**
 * The world: every node, link, address and fault in force, and the packet path through them.
 * It is private to the `Network` handle (docs/design.md#options-are-data-state-is-separate: handle
 * versus world); tests see it only through snapshots and `checkInvariants`.
 *
 * The packet path is the simulator's hot loop, so it allocates one `Transit` per packet (plus
 * its trace records and the event) and nothing else: no closure, no array copy, and no string
 * unless trace records are kept.
 *
 *   send:   host up? source local? target owned by a host? route? → traced 'sent' first, and
 *           'dropped' with the reason if any check fails; then partition, then rules;
 *   hop:    enter a link direction (link.ts), arrive as an event, forward at a switch/router;
 *   final:  host crashed? partitioned? held? → else counted, traced 'delivered', handed up.
 *
 * Every packet event (an arrival at the far end of a link, a loopback, a release from a hold, the
 * end of a rule's delay) is described to a strategy as its target host's packet event
 * (HostState.packetAbout, Simulator.describe), even a hop that ends at a switch: it is a step of
 * the packets flowing toward that host, which is what a scheduling strategy orders.
 */
import { assert, type SimEvent, type Simulator } from '../sim/index.ts';
import { addressFamily, isIPv4, isIPv6, parseAddress } from './address.ts';
import { FaultState, type FaultTarget } from './faults.ts';
import type { HostPort, HostState } from './host.ts';
import { admitDropReason, type Link, type LinkDirection } from './link.ts';
import type { NodeState } from './node.ts';
import type { Packet, Payload, SendFailure, SendResult } from './packet.ts';
import { Routing } from './routing.ts';
import { RULE_DROP, RULE_PASS, applyRules, type Rule } from './rules.ts';
import { Transit, traceFault, tracePacket } from './transit.ts';

const REFUSED: { readonly [R in SendFailure]: SendResult } = {
  'no-route': Object.freeze({ ok: false, reason: 'no-route' }),
  'host-down': Object.freeze({ ok: false, reason: 'host-down' }),
  'not-local-address': Object.freeze({ ok: false, reason: 'not-local-address' }),
};

const LOOPBACK_LABEL = 'loopback';
const RULE_DELAY_LABEL = 'rule delay';

/** Canonical text of `address` when it is an IP address at all, else the text unchanged. */
function canonicalOrSame(address: string): string {
  return isIPv4(address) || isIPv6(address) ? parseAddress('address', address) : address;
}

/** Sees each packet as it leaves its host, before any fault of the way acts on it. */
export type PacketTap<P extends Payload = Payload> = (packet: Packet<P>, now: number) => void;

export class World<P extends Payload = Payload> implements HostPort<P>, FaultTarget<P> {
  readonly sim: Simulator;
  readonly nodes: NodeState[] = [];
  readonly nodesByName = new Map<string, NodeState>();
  readonly hostsByAddress = new Map<string, HostState<P>>();
  readonly links: Link[] = [];
  readonly routing: Routing;
  readonly faults = new FaultState<P>();
  readonly rules: Rule<P>[] = [];
  /** Drops by reason, in first-seen order. */
  readonly drops = new Map<string, number>();
  /** Listeners shown every packet that leaves its host (a capture at the senders' interfaces). */
  readonly taps: PacketTap<P>[] = [];
  delivered = 0;
  #nextId = 1;
  readonly #onArrive = (packet: Transit<P>): void => this.#arrive(packet);
  readonly #onFinal = (packet: Transit<P>): void => this.#final(packet, false);
  readonly #onReleased = (packet: Transit<P>): void => this.#final(packet, true);
  readonly #onInject = (packet: Transit<P>): void => this.#inject(packet);

  constructor(sim: Simulator) {
    this.sim = sim;
    this.routing = new Routing(this.nodes);
  }

  /** The host owning `address` (in any spelling), if any. */
  hostOf(address: string): HostState<P> | undefined {
    return this.hostsByAddress.get(address) ?? this.hostsByAddress.get(canonicalOrSame(address));
  }

  send(host: HostState<P>, source: string, target: string, bytes: number, payload: P): SendResult {
    assert(Number.isSafeInteger(bytes), `send: bytes ${bytes} is not an integer`);
    assert(bytes >= 0, `send: bytes ${bytes} is negative`);
    let to = this.hostsByAddress.get(target);
    if (to === undefined) {
      target = canonicalOrSame(target);
      to = this.hostsByAddress.get(target);
    }
    if (!host.isLocal(source)) source = canonicalOrSame(source);
    const packet = new Transit<P>(this.#nextId++, source, target, bytes, payload, host, to ?? null);
    tracePacket(this.sim, 'sent', packet, undefined);
    if (!host.isUp) return this.#refuse(packet, 'host-down');
    if (!host.isLocal(source)) return this.#refuse(packet, 'not-local-address');
    if (to === undefined) return this.#refuse(packet, 'no-route');
    if (addressFamily(source) !== addressFamily(target)) return this.#refuse(packet, 'no-route');
    if (to !== host && this.routing.nextHop(host.node, to.node) === null) {
      return this.#refuse(packet, 'no-route');
    }
    host.sent++;
    const taps = this.taps;
    for (let i = 0; i < taps.length; i++) (taps[i] as PacketTap<P>)(packet, this.sim.now);
    const result: SendResult = { ok: true, id: packet.id };
    if (this.faults.isPartitioned(host, to)) {
      this.#drop(packet, 'partition');
      return result;
    }
    if (this.rules.length !== 0 && !this.#passRules(packet, host, to)) return result;
    this.#depart(packet);
    return result;
  }

  hasRoute(host: HostState<P>, target: string): boolean {
    const to = this.hostOf(target);
    if (to === undefined) return false;
    const family = addressFamily(canonicalOrSame(target));
    if ((family === 4 ? host.ipv4 : host.ipv6) === undefined) return false;
    return to === host || this.routing.nextHop(host.node, to.node) !== null;
  }

  /** Runs the rules; false when they dropped or delayed the packet (it is then handled). */
  #passRules(packet: Transit<P>, from: HostState<P>, to: HostState<P>): boolean {
    const context = { now: this.sim.now, sourceHost: from.name, targetHost: to.name };
    const outcome = applyRules(this.rules, packet, context);
    if (outcome.delay === RULE_PASS || outcome.delay === 0) return true;
    if (outcome.delay === RULE_DROP) {
      this.#drop(packet, outcome.reason);
      return false;
    }
    const event = this.sim.schedule(outcome.delay, RULE_DELAY_LABEL, this.#onInject, packet);
    this.#describe(event, packet);
    return false;
  }

  /** A packet delayed by a rule leaves its host now, if the host and a route are still there. */
  #inject(packet: Transit<P>): void {
    if (!packet.from.isUp) return this.#drop(packet, 'host-down');
    const to = packet.to as HostState<P>;
    if (to !== packet.from && this.routing.nextHop(packet.from.node, to.node) === null) {
      return this.#drop(packet, 'no-route');
    }
    this.#depart(packet);
  }

  /** Puts a packet that passed every send-time check on its first link (or on loopback). */
  #depart(packet: Transit<P>): void {
    const from = packet.from;
    const to = packet.to as HostState<P>;
    if (to === from) {
      this.#describe(this.sim.schedule(0, LOOPBACK_LABEL, this.#onFinal, packet), packet);
      return;
    }
    this.#enter(packet, this.routing.nextHop(from.node, to.node) as LinkDirection);
  }

  /** The link pipeline of one hop: admit, schedule the arrival, maybe a duplicate. */
  #enter(packet: Transit<P>, direction: LinkDirection): void {
    const sim = this.sim;
    const now = sim.now;
    const departure = direction.admit(now, packet.bytes);
    if (departure < 0) return this.#drop(packet, admitDropReason(departure));
    packet.direction = direction;
    packet.linkEpoch = direction.link.epoch;
    const delay = direction.arrival(departure) - now;
    this.#describe(sim.schedule(delay, direction.eventLabel, this.#onArrive, packet), packet);
    if (direction.shouldDuplicate()) {
      const copy = packet.copy();
      copy.direction = direction;
      copy.linkEpoch = packet.linkEpoch;
      const at = direction.duplicateArrival(departure);
      this.#describe(sim.schedule(at - now, direction.eventLabel, this.#onArrive, copy), copy);
    }
  }

  /** A packet reaches the far end of a link: lost with the link, delivered, or forwarded. */
  #arrive(packet: Transit<P>): void {
    const direction = packet.direction as LinkDirection;
    const link = direction.link;
    if (!link.isUp || link.epoch !== packet.linkEpoch) return this.#drop(packet, 'link-down');
    const node = this.nodes[direction.to.index] as NodeState;
    if (node.host !== null) {
      assert(node.host === packet.to, `packet ${packet.id} reached ${node.name}, not its target`);
      return this.#final(packet, false);
    }
    const next = this.routing.nextHop(node, (packet.to as HostState<P>).node);
    if (next === null) return this.#drop(packet, 'no-route');
    this.#enter(packet, next);
  }

  /** Tells a strategy that `event` carries a packet toward its target host (no-op without one). */
  #describe(event: SimEvent<Transit<P>>, packet: Transit<P>): void {
    this.sim.describe(event, (packet.to as HostState<P>).packetAbout);
  }

  /** Final delivery: a released packet was held once and is not held again. */
  #final(packet: Transit<P>, released: boolean): void {
    const to = packet.to as HostState<P>;
    if (!to.isUp) return this.#drop(packet, 'host-crashed');
    if (this.faults.isPartitioned(packet.from, to)) return this.#drop(packet, 'partition');
    if (!released && this.faults.bufferIfHeld(packet, to)) return;
    to.received++;
    this.delivered++;
    tracePacket(this.sim, 'delivered', packet, undefined);
    const protocol = packet.payload.protocol;
    const receiver =
      protocol === undefined ? to.receiver : (to.protocolReceivers?.get(protocol) ?? null);
    if (receiver !== null) receiver(packet);
  }

  #refuse(packet: Transit<P>, reason: SendFailure): SendResult {
    this.#drop(packet, reason);
    return REFUSED[reason];
  }

  #drop(packet: Transit<P>, reason: string): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    tracePacket(this.sim, 'dropped', packet, reason);
  }

  // ---- what the fault verbs do (faults.ts decides which) ----

  setLinkUp(link: Link, isUp: boolean): void {
    link.setUp(isUp, this.sim.now);
    this.routing.invalidate();
  }

  crash(host: HostState<P>): void {
    if (!host.isUp) return;
    host.isUp = false;
    host.epoch++;
    for (const listener of host.crashListeners) listener();
  }

  restart(host: HostState<P>): void {
    if (host.isUp) return;
    host.isUp = true;
    for (const listener of host.restartListeners) listener();
  }

  deliverReleased(packets: readonly Transit<P>[], label: string): void {
    for (const packet of packets) {
      this.#describe(this.sim.schedule(0, label, this.#onReleased, packet), packet);
    }
  }

  traceFault(verb: string, a: string, b: string | undefined): void {
    traceFault(this.sim, verb, a, b);
  }
}
