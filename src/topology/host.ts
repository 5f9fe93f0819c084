/**
 * Hosts: the end points the layer above attaches to. A host has a name, an IPv4 and/or an IPv6
 * address, one receive handler (the upper layer's stack), crash and restart listeners, and
 * host-scoped timers. A crash loses the host's state: listeners are told, every host-scoped
 * timer dies (an epoch counter, bumped on crash, makes a timer scheduled before the crash fire
 * as a no-op), the host cannot send, and deliveries to it are dropped until it restarts.
 *
 * Left out: a host's own interfaces and routing table (the world routes for it), loopback
 * addresses ('127.0.0.1'; a host reaches itself through its own addresses), and what a crash
 * does to packets already on the wire (they keep going, as they would on a real cable).
 */
import { type EventAbout, type Instant, type SimEvent, type Simulator } from '../sim/index.ts';
import type { Packet, Payload, SendResult } from './packet.ts';
import type { NodeHandle, Vertex } from './vertex.ts';

/** What a host handle needs from the world. */
export interface HostPort<P extends Payload> {
  readonly sim: Simulator;
  send(host: HostState<P>, source: string, target: string, bytes: number, payload: P): SendResult;
  hasRoute(host: HostState<P>, target: string): boolean;
}

/** A host as the world holds it. */
export class HostState<P extends Payload = Payload> {
  readonly node: Vertex;
  readonly ipv4: string | undefined;
  readonly ipv6: string | undefined;
  readonly addresses: readonly string[];
  isUp = true;
  /** Bumped on every crash; host-scoped timers from an older epoch do not fire. */
  epoch = 0;
  receiver: ((packet: Packet<P>) => void) | null = null;
  /** Receivers by IP protocol number (`Payload.protocol`), made on the first one. */
  protocolReceivers: Map<number, (packet: Packet<P>) => void> | null = null;
  readonly crashListeners: (() => void)[] = [];
  readonly restartListeners: (() => void)[] = [];
  /** Packets this host sent (accepted by `send`) and received. */
  sent = 0;
  received = 0;
  /**
   * What a strategy is told of every packet event on the way to this host (Simulator.describe):
   * one frozen object per host, so describing costs no allocation.
   */
  readonly packetAbout: EventAbout;

  constructor(node: Vertex, ipv4: string | undefined, ipv6: string | undefined) {
    this.node = node;
    this.packetAbout = Object.freeze({ host: node.name, kind: 'packet' });
    this.ipv4 = ipv4;
    this.ipv6 = ipv6;
    const addresses: string[] = [];
    if (ipv4 !== undefined) addresses.push(ipv4);
    if (ipv6 !== undefined) addresses.push(ipv6);
    this.addresses = Object.freeze(addresses);
  }

  get name(): string {
    return this.node.name;
  }

  isLocal(address: string): boolean {
    return address === this.ipv4 || address === this.ipv6;
  }
}

/** A host-scoped timer: it does not fire if its host crashed after it was scheduled. */
export class HostTimer<T = unknown> {
  readonly #host: { readonly epoch: number };
  readonly #epoch: number;
  /** @internal */ readonly fire: (arg: T) => void;
  /** @internal */ readonly arg: T;
  /** @internal */ event: SimEvent<HostTimer<T>> | null = null;

  /** A timer scheduled while its host is down is born dead (epoch -1 never matches). */
  constructor(
    host: { readonly epoch: number; readonly isUp: boolean }, fire: (arg: T) => void, arg: T,
  ) {
    this.#host = host;
    this.#epoch = host.isUp ? host.epoch : -1;
    this.fire = fire;
    this.arg = arg;
  }

  /** When the timer is due. */
  get at(): Instant {
    return (this.event as SimEvent).at;
  }

  get label(): string {
    return (this.event as SimEvent).label;
  }

  /** True until it fired, was cancelled, or its host crashed. */
  get isPending(): boolean {
    return (this.event as SimEvent).isPending && this.isAlive;
  }

  /** @internal True while the host has not crashed since the timer was scheduled. */
  get isAlive(): boolean {
    return this.#host.epoch === this.#epoch;
  }

  /** Cancels the timer; idempotent. */
  cancel(): void {
    (this.event as SimEvent).cancel();
  }
}

function fireHostTimer<T>(timer: HostTimer<T>): void {
  if (timer.isAlive) timer.fire(timer.arg);
}

/** The handle the layer above holds for one host. */
export class Host<P extends Payload = Payload> implements NodeHandle {
  readonly kind = 'host';
  readonly #state: HostState<P>;
  readonly #port: HostPort<P>;
  /** What a strategy is told of this host's timers (Simulator.describe): one object per host. */
  readonly #timerAbout: EventAbout;

  /** @internal made by `Network.addHost` */
  constructor(state: HostState<P>, port: HostPort<P>) {
    this.#state = state;
    this.#port = port;
    this.#timerAbout = Object.freeze({ host: state.name, kind: 'timer' });
  }

  get name(): string {
    return this.#state.name;
  }

  /** Canonical IPv4 address, if the host has one. */
  get ipv4(): string | undefined {
    return this.#state.ipv4;
  }

  /** Canonical IPv6 address (RFC 5952), if the host has one. */
  get ipv6(): string | undefined {
    return this.#state.ipv6;
  }

  /** Every address of the host, IPv4 first. */
  get addresses(): readonly string[] {
    return this.#state.addresses;
  }

  /** False between a crash and the restart. */
  get isUp(): boolean {
    return this.#state.isUp;
  }

  /**
   * Sends `bytes` on the wire from `source` (one of this host's addresses) to `target`.
   * Returns the packet id, or why the packet could not leave the host; either way the packet is
   * traced. A packet that leaves may still be dropped on the way (loss, partition, …).
   */
  send(source: string, target: string, bytes: number, payload: P): SendResult {
    return this.#port.send(this.#state, source, target, bytes, payload);
  }

  /** Sets the one receive handler (the upper layer's stack); a later call replaces it. */
  onReceive(handler: (packet: Packet<P>) => void): void {
    this.#state.receiver = handler;
  }

  /**
   * Sets the receive handler of the payloads whose `protocol` is `protocol` (a UDP stack's, 17);
   * a later call for the same protocol replaces it. Other payloads still go to `onReceive`'s.
   */
  onReceiveProtocol(protocol: number, handler: (packet: Packet<P>) => void): void {
    (this.#state.protocolReceivers ??= new Map()).set(protocol, handler);
  }

  /** Adds a listener told when the host crashes (by then it is down and its timers are dead). */
  onCrash(handler: () => void): void {
    this.#state.crashListeners.push(handler);
  }

  /** Adds a listener told when the host restarts. */
  onRestart(handler: () => void): void {
    this.#state.restartListeners.push(handler);
  }

  /** True when a packet to `target` would find a path now (links up, target owned by a host). */
  hasRoute(target: string): boolean {
    return this.#port.hasRoute(this.#state, target);
  }

  /** True when `address` is one of this host's (canonical) addresses. */
  isLocal(address: string): boolean {
    return this.#state.isLocal(address);
  }

  /**
   * Schedules `fire(arg)` after `delay` nanoseconds as a host-scoped event: if the host crashes
   * before it is due, it never fires. Upper layers' timers use this, so they die with the host.
   * A timer scheduled while the host is down never fires.
   */
  schedule<T>(delay: number, label: string, fire: (arg: T) => void, arg: T): HostTimer<T>;
  schedule(delay: number, label: string, fire: () => void): HostTimer<undefined>;
  schedule<T>(delay: number, label: string, fire: (arg: T) => void, arg?: T): HostTimer<T> {
    const timer = new HostTimer<T>(this.#state, fire, arg as T);
    const sim = this.#port.sim;
    timer.event = sim.schedule(delay, label, fireHostTimer, timer);
    sim.describe(timer.event, this.#timerAbout);
    return timer;
  }
}
