/**
 * A listening socket and its queues (docs/tcp.md#listen-queue,
 * docs/policies.md#tcp-profile-policies), in immediate or deferred-accept mode
 * (docs/tcp.md#one-offered-request-step-by-step, docs/design.md#layers).
 *
 * Children are the connections a SYN forked from this listener that the user has not accepted
 * yet: pending offers (deferred mode), half-open connections in SYN-RECEIVED and ready
 * (ESTABLISHED) ones. The two queue models differ in what they count and how they overflow:
 * - 'single' (windows): one limit on all children together (pending offers included); a SYN that
 *   would exceed it is answered RST,ACK (docs/tcp.md#windows-backlog, KB113576; the SQL CSS wiki
 *   capture).
 * - 'accept-queue' (linux): the limit bounds ready connections only, tested with "greater than"
 *   so a backlog of N lets N+1 wait; a SYN arriving when it is full is dropped silently, and a
 *   final ACK is dropped (the SYN-ACK timer re-sends) or, with abortOnOverflow, answered RST
 *   (docs/tcp.md#linux-accept-queue). SYN cookies make the half-open side unbounded, so it is not
 *   limited here.
 *
 * A ready child reset by its peer before accept leaves the queue silently (accept() never hands
 * out a dead connection). The listener only keeps the books; the stack does the I/O.
 */
import type { Admission, Connection, ParentListener } from './connection.ts';
import type {
  ConnectionHandler, DecideResult, ListenMode, ListenerHandler, Offer, TcpConnection,
} from './port.ts';
import type { RejectAnswer, TcpProfile } from './profiles.ts';

/** What the stack does for a listener when the layer above calls it. */
export interface ListenerOwner {
  acceptFrom(listener: Listener, handler: ConnectionHandler | undefined): Connection | null;
  decide(listener: Listener, offerId: number, answer: 'accept' | 'reject'): DecideResult;
  closeListener(listener: Listener): void;
}

/** What the listener does with a SYN, given its queue (before any child exists). */
export type SynVerdict = 'ok' | 'rst' | 'drop';

export interface OfferEntry {
  readonly offer: Offer;
  readonly connection: Connection;
}

export class Listener implements ParentListener {
  readonly owner: ListenerOwner;
  readonly profile: TcpProfile;
  readonly id: number;
  /** null: every address of the host; '0.0.0.0' or '::': every address of that family. */
  readonly localAddress: string | null;
  readonly localPort: number;
  readonly mode: ListenMode;
  readonly backlog: number;
  readonly offerLifetime: number;
  readonly rejectAnswer: RejectAnswer;
  readonly handler: ListenerHandler;
  /** ListenRequest.user (port.ts). */
  user: unknown = undefined;
  /** Active opens that share the port do not keep it out (ListenRequest.local.shared). */
  sharedPort = false;
  closed = false;
  /** Ready connections, oldest first. */
  readonly ready: Connection[] = [];
  /** Every child not yet accepted: offered, half-open or ready. */
  readonly children = new Set<Connection>();
  /** Deferred mode: offers answered 'later' or 'accept' that are not ready yet, by offer id. */
  readonly offers = new Map<number, OfferEntry>();

  constructor(
    owner: ListenerOwner, profile: TcpProfile, id: number, localAddress: string | null,
    localPort: number, mode: ListenMode, backlog: number, offerLifetime: number,
    rejectAnswer: RejectAnswer, handler: ListenerHandler,
  ) {
    this.owner = owner;
    this.profile = profile;
    this.id = id;
    this.localAddress = localAddress;
    this.localPort = localPort;
    this.mode = mode;
    this.backlog = backlog;
    this.offerLifetime = offerLifetime;
    this.rejectAnswer = rejectAnswer;
    this.handler = handler;
  }

  get readyCount(): number {
    return this.ready.length;
  }

  accept(handler?: ConnectionHandler): TcpConnection | null {
    return this.owner.acceptFrom(this, handler);
  }

  decide(offerId: number, answer: 'accept' | 'reject'): DecideResult {
    return this.owner.decide(this, offerId, answer);
  }

  close(): void {
    if (!this.closed) this.owner.closeListener(this);
  }

  /** Whether this listener takes segments sent to `address` (exact, family wildcard, or any). */
  covers(address: string): boolean {
    const mine = this.localAddress;
    if (mine === null || mine === address) return true;
    if (mine === '0.0.0.0') return !address.includes(':');
    if (mine === '::') return address.includes(':');
    return false;
  }

  /** How specific the match is: exact 2, family wildcard 1, any 0. */
  specificity(): number {
    const mine = this.localAddress;
    if (mine === null) return 0;
    return isWildcard(mine) ? 1 : 2;
  }

  /** Whether two listeners' addresses overlap (then they cannot share a port). */
  overlaps(address: string | null): boolean {
    const mine = this.localAddress;
    if (address === null || mine === null || address === mine) return true;
    if (address.includes(':') !== mine.includes(':')) return false;
    return isWildcard(address) || isWildcard(mine);
  }

  /** The queue's verdict on a new SYN (see the module header). */
  admitsSyn(): SynVerdict {
    if (this.profile.listenQueue === 'single') {
      return this.children.size >= this.backlog ? 'rst' : 'ok';
    }
    return this.ready.length > this.backlog ? 'drop' : 'ok';
  }

  /** The queue's verdict on a completing handshake (see the module header). */
  admitsEstablished(): Admission {
    if (this.profile.listenQueue === 'single') return 'admit';
    if (this.ready.length <= this.backlog) return 'admit';
    return this.profile.abortOnOverflow ? 'reset' : 'drop';
  }
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

const NONE: readonly Listener[] = Object.freeze([]);

/** A host's listeners by local port; several may share a port on disjoint addresses. */
export class ListenerTable {
  readonly #byPort = new Map<number, Listener[]>();

  has(port: number): boolean {
    return this.#byPort.has(port);
  }

  /** Whether a listener on `port` keeps out even the active opens that share the port. */
  hasUnshared(port: number): boolean {
    return this.#byPort.get(port)?.some((listener) => !listener.sharedPort) === true;
  }

  /** The listeners on `port` (a live view: do not keep it). */
  onPort(port: number): readonly Listener[] {
    return this.#byPort.get(port) ?? NONE;
  }

  /** Whether a new listener on (address, port) would overlap an existing one. */
  conflicts(address: string | null, port: number): boolean {
    return this.#byPort.get(port)?.some((other) => other.overlaps(address)) === true;
  }

  add(listener: Listener): void {
    const sharing = this.#byPort.get(listener.localPort);
    if (sharing === undefined) this.#byPort.set(listener.localPort, [listener]);
    else sharing.push(listener);
  }

  remove(listener: Listener): void {
    const sharing = this.#byPort.get(listener.localPort) ?? [];
    const index = sharing.indexOf(listener);
    if (index >= 0) sharing.splice(index, 1);
    if (sharing.length === 0) this.#byPort.delete(listener.localPort);
  }

  /**
   * The listener taking segments for (address, port): the most specific match
   * (docs/tcp.md#ephemeral-ports-time-wait-and-4-tuples).
   */
  find(address: string, port: number): Listener | null {
    const sharing = this.#byPort.get(port);
    if (sharing === undefined) return null;
    let best: Listener | null = null;
    for (const listener of sharing) {
      if (!listener.covers(address)) continue;
      if (best === null || listener.specificity() > best.specificity()) best = listener;
    }
    return best;
  }

  all(): Listener[] {
    return [...this.#byPort.values()].flat();
  }

  /** Forgets every listener, marking each closed (a crash). */
  clear(): void {
    for (const listener of this.all()) listener.closed = true;
    this.#byPort.clear();
  }
}
