/**
 * The socket-level types of wsk.h as this model exposes them (reference/wsk.md §2.1–§2.3): the
 * PFN_WSK_* signatures with Windows' parameter order, the provider dispatch tables of the basic,
 * listening, connection-oriented and stream categories (only the members that work, in wsk.h's
 * order), the client dispatch tables, the WSK_SOCKET object WSK allocates, and the model state
 * behind it. The behaviour is in socket.ts and the modules it composes.
 */
import type { TcpConnection, TcpListener } from '../tcp/port.ts';
import type { ADDRESS_FAMILY, SOCKADDR, WSK_CONTROL_SOCKET_TYPE } from './address.ts';
import type {
  PFN_WSK_DISCONNECT,
  PFN_WSK_DISCONNECT_EVENT,
  PFN_WSK_RECEIVE,
  PFN_WSK_RECEIVE_EVENT,
  PFN_WSK_RELEASE_DATA_INDICATION_LIST,
  PFN_WSK_SEND,
  PFN_WSK_SEND_BACKLOG_EVENT,
} from './data-types.ts';
import type { DataState } from './data-state.ts';
import type { IRP } from './irp.ts';
import type { NTSTATUS } from './ntstatus.ts';
import type { ShareMode } from './sharing.ts';
import type { PSECURITY_DESCRIPTOR, PWSK_CLIENT } from './registration.ts';

export type PFN_WSK_CLOSE_SOCKET = (Socket: PWSK_SOCKET, Irp: IRP) => NTSTATUS;
export type PFN_WSK_BIND = (
  Socket: PWSK_SOCKET,
  LocalAddress: SOCKADDR,
  Flags: number,
  Irp: IRP,
) => NTSTATUS;
export type PFN_WSK_ACCEPT = (
  ListenSocket: PWSK_SOCKET,
  Flags: number,
  AcceptSocketContext: unknown,
  AcceptSocketDispatch: unknown,
  LocalAddress: SOCKADDR | null,
  RemoteAddress: SOCKADDR | null,
  Irp: IRP,
) => NTSTATUS;
export type PFN_WSK_CONNECT = (
  Socket: PWSK_SOCKET,
  RemoteAddress: SOCKADDR,
  Flags: number,
  Irp: IRP,
) => NTSTATUS;
export type PFN_WSK_GET_LOCAL_ADDRESS = (
  Socket: PWSK_SOCKET,
  LocalAddress: SOCKADDR,
  Irp: IRP,
) => NTSTATUS;
export type PFN_WSK_GET_REMOTE_ADDRESS = (
  Socket: PWSK_SOCKET,
  RemoteAddress: SOCKADDR,
  Irp: IRP,
) => NTSTATUS;

export type PFN_WSK_CONTROL_SOCKET = (
  Socket: PWSK_SOCKET,
  RequestType: WSK_CONTROL_SOCKET_TYPE,
  ControlCode: number,
  Level: number,
  InputSize: number,
  InputBuffer: unknown,
  OutputSize: number,
  OutputBuffer: unknown,
  OutputSizeReturned: { value: number } | null,
  Irp: IRP | null,
) => NTSTATUS;
export type PFN_WSK_LISTEN = (Socket: PWSK_SOCKET, Irp: IRP) => NTSTATUS;

/**
 * WSK_INSPECT_ID (wsk.md §5.2): identifies one connection request to a conditional-accept
 * listener. The values carry no meaning; compare both fields, never the pointer. The object a
 * callback receives is valid during the call only (copy it: `{ ...InspectID }`).
 */
export class WSK_INSPECT_ID {
  Key: number;
  SerialNumber: number;
  constructor(Key = 0, SerialNumber = 0) {
    this.Key = Key;
    this.SerialNumber = SerialNumber;
  }
}
export type PWSK_INSPECT_ID = WSK_INSPECT_ID;

/** WSK_INSPECT_ACTION (wsk.md §4.3, wsk.h order). */
export type WSK_INSPECT_ACTION = number;
export const WskInspectReject = 0;
export const WskInspectAccept = 1;
export const WskInspectPend = 2;
export const WskInspectMax = 3;
/** The listening page's sample spells them without the prefix (DESIGN.md §3): both work. */
export const InspectReject = WskInspectReject;
export const InspectAccept = WskInspectAccept;
export const InspectPend = WskInspectPend;

/** PFN_WSK_INSPECT_COMPLETE (wsk.md §3.8): the app's copy of the ID, accept or reject. */
export type PFN_WSK_INSPECT_COMPLETE = (
  ListenSocket: PWSK_SOCKET,
  InspectID: PWSK_INSPECT_ID,
  Action: WSK_INSPECT_ACTION,
  Irp: IRP,
) => NTSTATUS;

/** wsk.md §2.2 BASIC order. */
export interface WSK_PROVIDER_BASIC_DISPATCH {
  readonly WskControlSocket: PFN_WSK_CONTROL_SOCKET;
  readonly WskCloseSocket: PFN_WSK_CLOSE_SOCKET;
}

/** wsk.md §2.2 LISTEN order. */
export interface WSK_PROVIDER_LISTEN_DISPATCH extends WSK_PROVIDER_BASIC_DISPATCH {
  readonly WskBind: PFN_WSK_BIND;
  readonly WskAccept: PFN_WSK_ACCEPT;
  readonly WskInspectComplete: PFN_WSK_INSPECT_COMPLETE;
  readonly WskGetLocalAddress: PFN_WSK_GET_LOCAL_ADDRESS;
}

/** wsk.md §2.2 CONNECTION order; present: the members that work (WskConnectEx: later). */
export interface WSK_PROVIDER_CONNECTION_DISPATCH extends WSK_PROVIDER_BASIC_DISPATCH {
  readonly WskBind: PFN_WSK_BIND;
  readonly WskConnect: PFN_WSK_CONNECT;
  readonly WskGetLocalAddress: PFN_WSK_GET_LOCAL_ADDRESS;
  readonly WskGetRemoteAddress: PFN_WSK_GET_REMOTE_ADDRESS;
  readonly WskSend: PFN_WSK_SEND;
  readonly WskReceive: PFN_WSK_RECEIVE;
  readonly WskDisconnect: PFN_WSK_DISCONNECT;
  readonly WskRelease: PFN_WSK_RELEASE_DATA_INDICATION_LIST;
}

/** wsk.md §2.2 STREAM order; present: the members that work (WskConnectEx: later). */
export interface WSK_PROVIDER_STREAM_DISPATCH extends WSK_PROVIDER_BASIC_DISPATCH {
  readonly WskBind: PFN_WSK_BIND;
  readonly WskAccept: PFN_WSK_ACCEPT;
  readonly WskConnect: PFN_WSK_CONNECT;
  readonly WskListen: PFN_WSK_LISTEN;
  readonly WskSend: PFN_WSK_SEND;
  readonly WskReceive: PFN_WSK_RECEIVE;
  readonly WskDisconnect: PFN_WSK_DISCONNECT;
  readonly WskRelease: PFN_WSK_RELEASE_DATA_INDICATION_LIST;
  readonly WskGetLocalAddress: PFN_WSK_GET_LOCAL_ADDRESS;
  readonly WskGetRemoteAddress: PFN_WSK_GET_REMOTE_ADDRESS;
}

// ---- client (upcall) dispatch tables (wsk.md §2.3, §4) --------------------------------------

/**
 * PFN_WSK_ACCEPT_EVENT (wsk.md §4.2): the listening socket's context, Flags
 * (WSK_FLAG_AT_DISPATCH_LEVEL or 0), the two addresses (valid during the call only), the
 * accepted socket (null once when the listening socket died) and the two out-parameters.
 */
export type PFN_WSK_ACCEPT_EVENT = (
  SocketContext: unknown,
  Flags: number,
  LocalAddress: SOCKADDR,
  RemoteAddress: SOCKADDR,
  AcceptSocket: PWSK_SOCKET | null,
  AcceptSocketContext: { value: unknown },
  AcceptSocketDispatch: { value: WSK_CLIENT_CONNECTION_DISPATCH | null },
) => NTSTATUS;

/**
 * PFN_WSK_INSPECT_EVENT (wsk.md §4.3): a connection request reached a conditional-accept
 * listener, before any handshake. The addresses and the ID are valid during the call only;
 * a NULL InspectID says the listening socket is dead.
 */
export type PFN_WSK_INSPECT_EVENT = (
  SocketContext: unknown,
  LocalAddress: SOCKADDR,
  RemoteAddress: SOCKADDR,
  InspectID: PWSK_INSPECT_ID | null,
) => WSK_INSPECT_ACTION;

/** PFN_WSK_ABORT_EVENT (wsk.md §4.4): a request answered Pend or Accept was dropped. */
export type PFN_WSK_ABORT_EVENT = (SocketContext: unknown, InspectID: PWSK_INSPECT_ID) => NTSTATUS;

/**
 * WSK_CLIENT_LISTEN_DISPATCH: entries the client never enables may be null (wsk.md §2.3); the
 * last two are needed once SO_CONDITIONAL_ACCEPT is on.
 */
export interface WSK_CLIENT_LISTEN_DISPATCH {
  readonly WskAcceptEvent: PFN_WSK_ACCEPT_EVENT | null;
  readonly WskInspectEvent?: PFN_WSK_INSPECT_EVENT | null;
  readonly WskAbortEvent?: PFN_WSK_ABORT_EVENT | null;
}

/** WSK_CLIENT_CONNECTION_DISPATCH: entries never enabled may be null (wsk.md §2.3, §4.5–§4.6). */
export interface WSK_CLIENT_CONNECTION_DISPATCH {
  readonly WskReceiveEvent: PFN_WSK_RECEIVE_EVENT | null;
  readonly WskDisconnectEvent: PFN_WSK_DISCONNECT_EVENT | null;
  readonly WskSendBacklogEvent: PFN_WSK_SEND_BACKLOG_EVENT | null;
}

/** WSK_CLIENT_STREAM_DISPATCH: the tables a stream socket uses in either role. */
export interface WSK_CLIENT_STREAM_DISPATCH {
  readonly Listen: WSK_CLIENT_LISTEN_DISPATCH | null;
  readonly Connect: WSK_CLIENT_CONNECTION_DISPATCH | null;
}

export type PFN_WSK_SOCKET = (
  Client: PWSK_CLIENT,
  AddressFamily: ADDRESS_FAMILY,
  SocketType: number,
  Protocol: number,
  Flags: number,
  SocketContext: unknown,
  Dispatch: unknown,
  OwningProcess: unknown,
  OwningThread: unknown,
  SecurityDescriptor: PSECURITY_DESCRIPTOR | null,
  Irp: IRP,
) => NTSTATUS;

export type PFN_WSK_SOCKET_CONNECT = (
  Client: PWSK_CLIENT,
  SocketType: number,
  Protocol: number,
  LocalAddress: SOCKADDR,
  RemoteAddress: SOCKADDR,
  Flags: number,
  SocketContext: unknown,
  Dispatch: unknown,
  OwningProcess: unknown,
  OwningThread: unknown,
  SecurityDescriptor: PSECURITY_DESCRIPTOR | null,
  Irp: IRP,
) => NTSTATUS;

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

/** A category's role once decided: a stream socket has none until WskListen / WskConnect. */
export type SocketRole = 'listen' | 'connection' | null;

/** @internal The options of WskControlSocket that govern the bind (wsk.md §3.12, §7.3). */
export interface SocketOptions {
  share: ShareMode;
  /** IPV6_V6ONLY; default 1 for AF_INET6 sockets (wsk.md §7.2). */
  v6only: boolean;
  conditionalAccept: boolean;
  securityDescriptor: object | null;
}

/** @internal A disable of an event that waits for the running callbacks (wsk.md §4.7). */
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

/** Bits of SocketState's packed flags. */
const CLOSED = 1;
const DEAD = 2;
const HOLDS_PORT = 4;
const LISTENING = 8;
const CONNECTED = 16;
const DEATH_INDICATED = 32;

/**
 * @internal One socket's model state. A class whose booleans share one packed field behind
 * accessors: a simulation keeps 1e5 sockets and more, and each field costs every one of them.
 */
export class SocketState {
  readonly id: number;
  readonly category: 'basic' | 'listen' | 'connection' | 'stream';
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
  /** WSK_EVENT_* enabled now (wsk.md §4.7). */
  events: number;
  /** Enabled events that may not be disabled: static ones, inherited ones on a listener. */
  fixedEvents: number;
  /** Connection events a listening socket hands to sockets of WskAcceptEvent (§4.7). */
  inherited = 0;
  /** Calls on it that have not returned (socket-dispatch.ts). */
  calls = 0;
  /** Its index in the host's open sockets while open (socket-core.ts). */
  slot = -1;
  #flags = 0;

  constructor(
    id: number,
    category: SocketState['category'],
    spec: SocketInit,
    accepts: QueuedAccept[],
    events: number,
  ) {
    this.id = id;
    this.category = category;
    this.role = category === 'listen' || category === 'connection' ? category : null;
    this.client = spec.client;
    this.family = spec.family;
    this.context = spec.context;
    this.clientDispatch = spec.clientDispatch;
    this.owner = spec.owner;
    this.options = spec.options;
    this.accepts = accepts;
    this.events = events;
    this.fixedEvents = events;
  }

  get closed(): boolean {
    return (this.#flags & CLOSED) !== 0;
  }
  set closed(on: boolean) {
    this.#set(CLOSED, on);
  }
  /** The transport invalidated it: calls answer STATUS_FILE_FORCED_CLOSED (wsk.md §3.0). */
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
  /** The NULL accept indication was delivered (at most once, wsk.md §4.2). */
  get deathIndicated(): boolean {
    return (this.#flags & DEATH_INDICATED) !== 0;
  }
  set deathIndicated(on: boolean) {
    this.#set(DEATH_INDICATED, on);
  }

  #set(bit: number, on: boolean): void {
    this.#flags = on ? this.#flags | bit : this.#flags & ~bit;
  }
}

/** The socket object WSK allocates (wsk.h WSK_SOCKET: its one field is Dispatch). */
export class WSK_SOCKET {
  /** The provider dispatch table of the socket's category (wsk.md §2.1). */
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
