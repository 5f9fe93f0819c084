/**
 * A socket as the model keeps it: the WSK_SOCKET object WSK allocates (its one field a driver
 * reads is Dispatch) and the model state behind it (SocketState), with the records it holds:
 * queued WskAccept IRPs, the bound endpoint, the options that govern the bind. The behaviour is
 * in socket.ts and the modules it composes; wsk.h's function types are in dispatch-types.ts.
 */
import type { IRP } from '../nt/index.ts';
import type { TcpConnection, TcpListener } from '../tcp/port.ts';
import type { ADDRESS_FAMILY, SOCKADDR } from './address.ts';
import { SOCKET_CATEGORIES, type SocketCategory, type SocketRole } from './categories.ts';
import type { PWSK_CLIENT } from './client.ts';
import type { DataState } from './data-state.ts';
import {
  CLOSED,
  CONNECTED,
  DEAD,
  DEATH_INDICATED,
  HOLDS_PORT,
  LISTENING,
  illegalSocketMove,
  isLegalSocketMove,
} from './lifecycle.ts';
import type { ShareMode } from './sharing.ts';


/** @internal An address and a port. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/** @internal A WskAccept waiting for a ready connection. */
export interface QueuedAccept {
  readonly irp: IRP;
  readonly context: unknown;
  readonly dispatch: unknown;
  readonly local: SOCKADDR | null;
  readonly remote: SOCKADDR | null;
}

/**
 * @internal The options of WskControlSocket that govern the bind
 * (docs/model.md#socket-options-and-control, #address-sharing).
 */
export interface SocketOptions {
  share: ShareMode;
  /**
   * IPV6_V6ONLY; default 1 for AF_INET6 sockets
   * (docs/model.md#family-wildcard-and-ephemeral-ports).
   */
  v6only: boolean;
  conditionalAccept: boolean;
  securityDescriptor: object | null;
}

/**
 * @internal A disable of an event that waits for the running callbacks
 * (docs/model.md#enabling-and-disabling-events).
 */
export interface PendingDisable {
  readonly event: number;
  readonly irp: IRP | null;
}

/** @internal What a SocketState starts from, beside its id, category, accepts and events. */
export interface SocketInit {
  readonly client: PWSK_CLIENT;
  readonly family: ADDRESS_FAMILY;
  readonly context: unknown;
  readonly clientDispatch: unknown;
  readonly owner: unknown;
  readonly options: Readonly<SocketOptions>;
}

/**
 * @internal One socket's model state. A class whose booleans share one packed field behind
 * accessors: a simulation keeps 1e5 sockets and more, and each field costs every one of them.
 * The lifecycle flags (closed, dead, holdsPort, listening, connected, deathIndicated) change
 * only as lifecycle.ts's table allows: each setter asserts the move.
 */
export class SocketState {
  readonly id: number;
  readonly category: SocketCategory;
  /** What the socket does: its category's role, or a stream socket's once committed. */
  role: SocketRole;
  readonly client: PWSK_CLIENT;
  readonly family: ADDRESS_FAMILY;
  /** SocketContext; for a socket of WskAcceptEvent, what the callback set. */
  context: unknown;
  clientDispatch: unknown;
  /** The owning process (PsInitialSystemProcess for a NULL OwningProcess). */
  readonly owner: unknown;
  /** Shared defaults until an option is set (socket-core.ts `writableOptions`). */
  options: Readonly<SocketOptions>;
  /** Bound endpoint (wildcard address for an any-address bind); null before WskBind. */
  bound: Endpoint | null = null;
  listener: TcpListener | null = null;
  /** Queued WskAccept IRPs (listening and stream sockets; others share an empty array). */
  readonly accepts: QueuedAccept[];
  connection: TcpConnection | null = null;
  /** The pending connect: WskConnect's or WskSocketConnect's IRP. */
  connectIrp: IRP | null = null;
  /** What a WskSocketConnect's IRP returns on success (its socket); null for WskConnect. */
  connectReturns: WSK_SOCKET | null = null;
  /** The data path's state once a connection carries data or is ended (data-state.ts). */
  data: DataState | null = null;
  /** WSK_EVENT_* enabled now (docs/model.md#enabling-and-disabling-events). */
  events: number;
  /** Enabled events that may not be disabled: static ones, inherited ones on a listener. */
  fixedEvents: number;
  /**
   * Connection events a listening socket hands to sockets of WskAcceptEvent
   * (docs/model.md#enabling-and-disabling-events).
   */
  inherited = 0;
  /** Calls on it that have not returned (socket-dispatch.ts). */
  calls = 0;
  /** Its index in the host's open sockets while open (socket-core.ts). */
  slot = -1;
  /**
   * The virtual time its lifecycle flags last changed (or it was made), for the end-of-run
   * report: the clock is its client's, so a socket carries the time and not the clock.
   */
  stateSince: number;
  #flags = 0;

  constructor(
    id: number,
    category: SocketCategory,
    spec: SocketInit,
    accepts: QueuedAccept[],
    events: number,
  ) {
    this.id = id;
    this.category = category;
    this.role = SOCKET_CATEGORIES[category].role;
    this.client = spec.client;
    this.family = spec.family;
    this.context = spec.context;
    this.clientDispatch = spec.clientDispatch;
    this.owner = spec.owner;
    this.options = spec.options;
    this.accepts = accepts;
    this.events = events;
    this.fixedEvents = events;
    this.stateSince = spec.client.clock.now;
  }

  /**
   * Its state in one word, for a report: closed, dead, connected, listening, bound (holds its
   * port) or open.
   */
  get stateName(): string {
    const flags = this.#flags;
    if ((flags & CLOSED) !== 0) return 'closed';
    if ((flags & DEAD) !== 0) return 'dead';
    if ((flags & CONNECTED) !== 0) return 'connected';
    if ((flags & LISTENING) !== 0) return 'listening';
    return (flags & HOLDS_PORT) !== 0 ? 'bound' : 'open';
  }

  get closed(): boolean {
    return (this.#flags & CLOSED) !== 0;
  }
  set closed(on: boolean) {
    this.#set(CLOSED, on);
  }
  /**
   * The transport invalidated it: calls answer STATUS_FILE_FORCED_CLOSED
   * (docs/model.md#rules-common-to-every-call).
   */
  get dead(): boolean {
    return (this.#flags & DEAD) !== 0;
  }
  set dead(on: boolean) {
    this.#set(DEAD, on);
  }
  /** Holds its bound port in the host's table (false for most accepted sockets). */
  get holdsPort(): boolean {
    return (this.#flags & HOLDS_PORT) !== 0;
  }
  set holdsPort(on: boolean) {
    this.#set(HOLDS_PORT, on);
  }
  /** Listening: bound listening socket, or a stream socket after WskListen. */
  get listening(): boolean {
    return (this.#flags & LISTENING) !== 0;
  }
  set listening(on: boolean) {
    this.#set(LISTENING, on);
  }
  /** The connection's handshake completed (connected or accepted). */
  get connected(): boolean {
    return (this.#flags & CONNECTED) !== 0;
  }
  set connected(on: boolean) {
    this.#set(CONNECTED, on);
  }
  /** The NULL accept indication was delivered (at most once, docs/model.md#wskacceptevent). */
  get deathIndicated(): boolean {
    return (this.#flags & DEATH_INDICATED) !== 0;
  }
  set deathIndicated(on: boolean) {
    this.#set(DEATH_INDICATED, on);
  }

  #set(bit: number, on: boolean): void {
    const flags = this.#flags;
    const next = on ? flags | bit : flags & ~bit;
    if (next === flags) return;
    if (!isLegalSocketMove(flags, bit, on)) illegalSocketMove(this.id, flags, bit, on);
    this.#flags = next;
    this.stateSince = this.client.clock.now;
  }
}

/** The socket object WSK allocates (wsk.h WSK_SOCKET: its one field is Dispatch). */
export class WSK_SOCKET {
  /** The provider dispatch table of the socket's category (docs/model.md#categories). */
  readonly Dispatch: object;
  /** @internal */ readonly state: SocketState;
  /** @internal */ readonly host: string;

  /** @internal */
  constructor(Dispatch: object, state: SocketState, host: string) {
    this.Dispatch = Dispatch;
    this.state = state;
    this.host = host;
  }
}
export type PWSK_SOCKET = WSK_SOCKET;
