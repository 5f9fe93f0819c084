/**
 * The TCP stack of one host: the only TCP code that touches topology and the simulator
 * (docs/design.md#layering-and-dependency-direction). It attaches to a topology Host (`onReceive`,
 * `onCrash`), demultiplexes arriving segments to connections (table.ts) or listeners (listener.ts),
 * answers segments that find neither (docs/tcp.md#reset-generation, group 1; the profile's
 * closed-port answer), schedules each connection's `nextDeadline()` as a host-scoped event, and
 * delivers the notices connections leave to the handlers above (port.ts). A crash loses every
 * connection and listener, silently: the host's upper layers die with it.
 *
 * Performance (docs/design.md#performance-metrics): no closure or Map per connection; connection
 * timers live in one indexed heap per stack (timers.ts) behind a single pending host-scoped event,
 * rescheduled only when the earliest deadline moves earlier (a wake-up that comes early just
 * re-arms), so idle connections hold no timer state; segment text is built only when the trace
 * keeps records.
 */
import { assert, type ChoiceStream, type Simulator } from '../sim/index.ts';
import type { Packet, Payload, SendResult } from '../topology/index.ts';
import {
  Connection, resetAnswer, type Admission, type ConnectionOwner, type TransmitResult,
} from './connection.ts';
import {
  ACCEPTED, BOUND, DELIVERING, HOLDS_PORT, NOTIFY_PENDING, SHARES_PORT, deliverNotices,
} from './delivery.ts';
import { Listener, ListenerTable } from './listener.ts';
import { PassiveOpens } from './passive.ts';
import type { TcpSegment } from './payload.ts';
import type {
  ConnectRequest, ConnectResult, ConnectionHandler, ListenRequest, ListenResult, ListenerHandler,
  TcpConnection, TcpListener,
} from './port.ts';
import { resolveProfile, type TcpProfile, type TcpProfileOptions } from './profiles.ts';
import { resolveConnectRequest, resolveListenRequest } from './requests.ts';
import { ACK, RST, SYN, fromWire, seqGt, seqLe, type Segment } from './segment.ts';
import type { Outcome, TcpState } from './state.ts';
import { ConnectionTable, tupleKey } from './table.ts';
import { TimerHeap } from './timers.ts';
import { TcpTracer } from './tracer.ts';

/** What the stack needs of a topology host; src/topology's Host satisfies it. */
export interface TcpHost {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly ipv4: string | undefined;
  readonly ipv6: string | undefined;
  readonly isUp: boolean;
  send(source: string, target: string, bytes: number, payload: Payload): SendResult;
  onReceive(handler: (packet: Packet) => void): void;
  onCrash(handler: () => void): void;
  schedule<T>(delay: number, label: string, fire: (arg: T) => void, arg: T): { cancel(): void };
}

const NO_USERS: readonly unknown[] = Object.freeze([]);

/** A connection's user; a passive one nobody accepted yet answers to its listener's. */
function userOf(connection: Connection): unknown {
  const listener = connection.listener;
  if ((connection.bits & ACCEPTED) !== 0 || listener === null) return connection.user;
  return listener.user;
}

function fireWake(stack: TcpStack): void {
  stack.onWake();
}

function fireNotify(connection: Connection): void {
  (connection.owner as TcpStack).onNotify(connection);
}

export class TcpStack implements ConnectionOwner {
  readonly sim: Simulator;
  readonly host: TcpHost;
  readonly profile: TcpProfile;
  readonly #trace: TcpTracer;
  readonly #isn: ChoiceStream;
  readonly #ports: ChoiceStream;
  readonly #table = new ConnectionTable();
  readonly #listeners = new ListenerTable();
  /** The host's addresses (fixed for its life); an address's index is part of the 4-tuple key. */
  readonly #addresses: readonly string[];
  readonly #passive: PassiveOpens;
  readonly #timers = new TimerHeap();
  /** The one pending timer event of this stack, for the earliest connection timer. */
  #wakeAt = Infinity;
  #wakeEvent: { cancel(): void } | null = null;
  #nextId = 1;

  /** Attaches a stack to `host`; `options` picks and overrides the profile (SimConfigError). */
  constructor(sim: Simulator, host: TcpHost, options: TcpProfileOptions = {}) {
    this.sim = sim;
    this.host = host;
    this.profile = resolveProfile(options);
    this.#trace = new TcpTracer(sim, host.name);
    this.#addresses = host.addresses;
    this.#isn = sim.choices.stream(`tcp-isn/${host.name}`);
    this.#ports = sim.choices.stream(`tcp-ports/${host.name}`);
    // Methods, not arrow properties: under tsx (esbuild's keepNames) each named arrow made costs
    // a defineProperty of its name, and a campaign makes a stack per host per run.
    const stack = this;
    this.#passive = new PassiveOpens({
      owner: this,
      trace: this.#trace,
      nextId() {
        return stack.#nextId++;
      },
      sendRaw(segment) {
        void stack.#send(segment);
      },
      bind(connection, localIndex) {
        stack.#bind(connection, localIndex);
      },
      after(connection) {
        stack.#after(connection);
      },
      release(connection) {
        stack.#release(connection);
      },
      forget(listener) {
        stack.#listeners.remove(listener);
      },
    });
    host.onReceive((packet) => this.#onPacket(packet));
    host.onCrash(() => this.#onCrash());
  }

  get now(): number {
    return this.sim.now;
  }

  /** Connections in the demultiplexing table (TIME-WAIT included), in a stable order. */
  connections(): TcpConnection[] {
    return [...this.#table.connections()];
  }

  /**
   * Whether some connection in the demultiplexing table (TIME-WAIT included) has no outcome yet
   * and local port `port`: the same answer as scanning `connections()` for `outcome === null`
   * and `localPort === port`, from a per-port count (O(1)).
   */
  hasLiveConnectionOnPort(port: number): boolean {
    return this.#table.liveOnPort(port) > 0;
  }

  listeners(): TcpListener[] {
    return this.#listeners.all();
  }

  /** The listeners on local port `port`, without copying the table (O(listeners on it)). */
  listenersOnPort(port: number): readonly TcpListener[] {
    return this.#listeners.onPort(port);
  }

  /**
   * The `user` of everything on local port `port` (port.ts): each open listener's, then each
   * connection's that has not ended (TIME-WAIT ones have), a connection nobody accepted yet
   * counting as its listener's; undefined where none was set. O(listeners on the port) when no
   * connection lives on it.
   */
  portUsers(port: number): readonly unknown[] {
    const listeners = this.#listeners.onPort(port);
    const live = this.#table.liveOnPort(port) > 0;
    if (listeners.length === 0 && !live) return NO_USERS;
    const users: unknown[] = [];
    for (const listener of listeners) if (!listener.closed) users.push(listener.user);
    if (!live) return users;
    for (const c of this.#table.connections()) {
      if (c.localPort === port && c.outcome === null && c.state !== 'TIME-WAIT') {
        users.push(userOf(c));
      }
    }
    return users;
  }

  /**
   * Throws AssertionError when the stack's books disagree (docs/design.md#assertions); tests call
   * it often. Each bound connection: SND.UNA ≤ SND.NXT, not finished, filed in the timer heap
   * exactly when it has a deadline; each listener's ready connections are its children.
   */
  checkInvariants(): void {
    for (const connection of this.#table.connections() as Iterable<Connection>) {
      assert(seqLe(connection.sndUna, connection.sndNxt), `#${connection.id}: SND.UNA > SND.NXT`);
      assert(!connection.isFinished, `#${connection.id}: finished but still bound`);
      const deadline = connection.nextDeadline();
      if (deadline !== Infinity) {
        assert(connection.heapIndex >= 0, `#${connection.id}: deadline not filed`);
      }
      const filed = this.#timers.deadlineOf(connection);
      if (connection.heapIndex >= 0) assert(filed === deadline, `#${connection.id}: stale timer`);
    }
    this.#table.checkLive();
    for (const listener of this.#listeners.all()) {
      for (const ready of listener.ready) {
        assert(listener.children.has(ready), `listener ${listener.id}: ready but not a child`);
        assert(ready.state !== 'CLOSED', `listener ${listener.id}: closed connection ready`);
      }
    }
  }

  /** Active open (port.ts). Bad input returns a named error; routing failures come as outcomes. */
  connect(request: ConnectRequest, handler: ConnectionHandler | null = null): ConnectResult {
    if (!this.host.isUp) return { ok: false, error: 'host-down' };
    if (handler !== null && typeof handler !== 'object') {
      return { ok: false, error: 'invalid-argument' };
    }
    const resolved = resolveConnectRequest(this.host, request);
    if (typeof resolved === 'string') return { ok: false, error: resolved };
    const { localAddress, localIndex, remoteAddress, remotePort, sharedPort } = resolved;
    let localPort = resolved.localPort;
    if (localPort === null) {
      localPort = this.#table.pickEphemeral(
        this.profile, this.#ports, this.#listeners,
        localIndex, remoteAddress, remotePort,
      );
      if (localPort === null) return { ok: false, error: 'no-ephemeral-port' };
    } else if (this.#portTaken(localPort, localIndex, remoteAddress, remotePort, sharedPort)) {
      return { ok: false, error: 'address-in-use' };
    }
    const connection = Connection.active(
      this, this.profile, this.#nextId++, localAddress, localPort, remoteAddress, remotePort,
    );
    connection.handler = handler;
    connection.user = request.user;
    connection.bits |= ACCEPTED | HOLDS_PORT | (sharedPort ? SHARES_PORT : 0);
    this.#bind(connection, localIndex);
    connection.open(this.sim.now);
    this.settle(connection);
    return { ok: true, connection };
  }

  /** Passive open (port.ts), immediate or deferred. */
  listen(request: ListenRequest, handler: ListenerHandler = {}): ListenResult {
    if (!this.host.isUp) return { ok: false, error: 'host-down' };
    if (typeof handler !== 'object' || handler === null) {
      return { ok: false, error: 'invalid-argument' };
    }
    const resolved = resolveListenRequest(this.host, this.profile, request);
    if (typeof resolved === 'string') return { ok: false, error: resolved };
    const { address, port } = resolved;
    if (this.#listeners.conflicts(address, port) || this.#portHeld(port, resolved.sharedPort)) {
      return { ok: false, error: 'address-in-use' };
    }
    const listener = new Listener(
      this.#passive, this.profile, this.#nextId++, address, port, resolved.mode,
      resolved.backlog, resolved.offerLifetime, resolved.rejectAnswer, handler,
    );
    listener.user = request.user;
    listener.sharedPort = resolved.sharedPort;
    this.#listeners.add(listener);
    this.#trace.listener(listener.id, 'listening', 0, `${address ?? '*'}:${port} ${resolved.mode}`);
    return { ok: true, listener };
  }

  // ---------------------------------------------------------------------------------------------
  // ConnectionOwner.

  transmit(_connection: Connection, segment: TcpSegment): TransmitResult {
    return this.#send(segment);
  }

  admit(connection: Connection): Admission {
    const listener = connection.listener;
    if (listener === null || listener.closed) return 'reset';
    return listener.admitsEstablished();
  }

  /**
   * ISN = M + F (docs/tcp.md#initial-sequence-numbers): a 4 µs clock plus a labelled draw from the
   * host's ISN stream.
   */
  initialSequence(_connection: Connection): number {
    return (Math.floor(this.sim.now / 4000) + this.#isn.between('tcp: isn', 0, 0xffffffff)) >>> 0;
  }

  transitioned(connection: Connection, from: TcpState, to: TcpState, cause: string): void {
    this.#trace.transition(connection.id, from, to, cause);
  }

  reported(connection: Connection, outcome: Outcome): void {
    if ((connection.bits & BOUND) !== 0) {
      this.#table.settled(connection, this.#addresses.indexOf(connection.localAddress));
    }
    this.#trace.outcome(connection.id, outcome);
  }

  rejected(connection: Connection, segment: Segment, reason: string): void {
    this.#trace.rejected(connection.id, segment, reason);
  }

  mark(name: string): void {
    this.sim.trace.mark(name);
  }

  /** After a port call: notices go out on a zero-delay event, never inside the call. */
  settle(connection: Connection): void {
    if (connection.notices !== 0 && (connection.bits & (NOTIFY_PENDING | DELIVERING)) === 0) {
      connection.bits |= NOTIFY_PENDING;
      this.host.schedule(0, 'tcp notify', fireNotify, connection);
    }
    this.#settleTable(connection);
  }

  /** @internal the stack's timer event: runs the connection due first, then re-arms. */
  onWake(): void {
    this.#wakeAt = Infinity;
    this.#wakeEvent = null;
    const now = this.sim.now;
    const connection = this.#timers.peek();
    if (connection !== undefined && this.#timers.firstAt() <= now) {
      this.#timers.remove(connection);
      connection.handleTimers(now);
      this.#after(connection);
    }
    this.#scheduleWake();
  }

  /** @internal the zero-delay delivery event */
  onNotify(connection: Connection): void {
    connection.bits &= ~NOTIFY_PENDING;
    deliverNotices(connection, this.#trace);
  }

  // ---------------------------------------------------------------------------------------------
  // Arriving segments.

  #onPacket(packet: Packet): void {
    const segment = packet.payload as unknown as Segment;
    if (typeof segment.sourcePort !== 'number') return;
    const localIndex = this.#addresses.indexOf(segment.target);
    if (localIndex < 0) return;
    const key = tupleKey(segment.targetPort, segment.sourcePort);
    let connection = this.#table.get(localIndex, segment.source, key);
    if (connection?.state === 'TIME-WAIT' && this.#reopensTimeWait(connection, segment)) {
      connection = undefined;
    }
    if (connection !== undefined) {
      connection.handleSegment(this.sim.now, segment);
      this.#after(connection);
      return;
    }
    const listener = this.#listeners.find(segment.target, segment.targetPort);
    if (listener === null) return this.#answerWithoutConnection(segment);
    this.#passive.onSegment(listener, segment, localIndex);
  }

  /**
   * RFC 9293 MAY-2: a new SYN with a higher sequence number ends a TIME-WAIT held for the same
   * 4-tuple when a listener would take it (docs/tcp.md#closing-and-time-wait,
   * #ephemeral-ports-time-wait-and-4-tuples).
   */
  #reopensTimeWait(connection: Connection, segment: Segment): boolean {
    if ((segment.flags & (SYN | ACK | RST)) !== SYN) return false;
    if (!seqGt(fromWire(segment.seq), connection.rcvNxt)) return false;
    if (this.#listeners.find(segment.target, segment.targetPort) === null) return false;
    this.mark('tcp: time-wait reopened by new syn');
    connection.discard('new SYN ends TIME-WAIT (RFC 9293 MAY-2)', 'closed');
    this.#release(connection);
    return true;
  }

  /**
   * No connection and no listener (docs/tcp.md#reset-generation, group 1;
   * docs/policies.md#tcp-profile-policies, closed port).
   */
  #answerWithoutConnection(segment: Segment): void {
    if ((segment.flags & RST) !== 0) {
      return this.#trace.rejected(0, segment, 'RST without a connection');
    }
    if ((segment.flags & (SYN | ACK)) === SYN) {
      if (this.profile.closedPortAnswer === 'silent') {
        this.mark('tcp: closed port, syn dropped silently');
        return this.#trace.rejected(0, segment, 'closed port (silent drop)');
      }
      this.mark('tcp: closed port answered rst');
    } else {
      this.mark('tcp: rst for segment without connection');
    }
    this.#send(resetAnswer(segment));
  }

  #portTaken(
    port: number, localIndex: number, remoteAddress: string, remotePort: number, shared: boolean,
  ): boolean {
    if (shared ? this.#listeners.hasUnshared(port) : this.#listeners.has(port)) return true;
    const exclusive = this.profile.portSharing === 'exclusive' && !shared;
    if (exclusive && this.#table.portUse(port) > 0) return true;
    return this.#table.has(localIndex, remoteAddress, tupleKey(port, remotePort));
  }

  /**
   * Whether active opens keep a new listener off `port`: any of them, or for a listener that
   * shares the port, one that does not (a scan, only when the port has active opens).
   */
  #portHeld(port: number, shared: boolean): boolean {
    if (this.#table.portUse(port) === 0) return false;
    if (!shared) return true;
    for (const c of this.#table.connections()) {
      const holds = (c.bits & (HOLDS_PORT | SHARES_PORT)) === HOLDS_PORT;
      if (holds && c.localPort === port) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // Bookkeeping after a connection ran.

  #after(connection: Connection): void {
    deliverNotices(connection, this.#trace);
    this.#settleTable(connection);
  }

  #settleTable(connection: Connection): void {
    if (connection.isFinished) this.#release(connection);
    else if ((connection.bits & BOUND) !== 0) this.#arm(connection);
  }

  /** Files the connection's deadline in the timer heap (or takes it out) and re-arms the stack. */
  #arm(connection: Connection): void {
    const deadline = connection.nextDeadline();
    if (deadline === Infinity) return this.#timers.remove(connection);
    if (connection.heapIndex < 0 || deadline !== this.#timers.deadlineOf(connection)) {
      this.#timers.set(connection, deadline);
    }
    this.#scheduleWake();
  }

  /** One pending event per stack: moved only when the earliest deadline comes earlier. */
  #scheduleWake(): void {
    const firstAt = this.#timers.firstAt();
    if (firstAt >= this.#wakeAt) return;
    this.#wakeEvent?.cancel();
    this.#wakeAt = firstAt;
    this.#wakeEvent = this.host.schedule(firstAt - this.sim.now, 'tcp timer', fireWake, this);
  }

  #bind(connection: Connection, localIndex: number): void {
    connection.bits |= BOUND;
    this.#table.add(connection, localIndex, (connection.bits & HOLDS_PORT) !== 0);
  }

  #release(connection: Connection): void {
    if ((connection.bits & BOUND) !== 0) {
      connection.bits &= ~BOUND;
      const localIndex = this.#addresses.indexOf(connection.localAddress);
      this.#table.delete(connection, localIndex, (connection.bits & HOLDS_PORT) !== 0);
    }
    this.#timers.remove(connection);
  }

  #send(segment: TcpSegment): TransmitResult {
    const result = this.host.send(segment.source, segment.target, segment.bytes, segment);
    if (result.ok) return 'sent';
    return result.reason === 'no-route' ? 'no-route' : 'dropped';
  }

  /**
   * A crash loses all state (docs/design.md#layers): connections and listeners vanish, nothing is
   * sent.
   */
  #onCrash(): void {
    const connections = [...this.#table.connections()];
    for (const connection of connections) {
      connection.discard('host crashed', 'aborted');
      connection.notices = 0;
      connection.bits &= ~BOUND;
    }
    this.#table.clear();
    this.#timers.clear();
    this.#wakeEvent = null; // host-scoped: it died with the crash
    this.#wakeAt = Infinity;
    this.#listeners.clear();
    this.#trace.crash(connections.length);
  }
}
