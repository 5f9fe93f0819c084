/**
 * wsk.h's socket-level function types and dispatch tables, with Windows' parameter order
 * (docs/model.md#sockets-and-dispatch-tables): the PFN_WSK_* signatures of the provider members
 * and of the client callbacks, the provider dispatch tables of the basic, listening,
 * connection-oriented and stream categories (made from categories.ts's rows: only the members
 * that work, in wsk.h's order), the client dispatch tables, and what conditional accept passes
 * (WSK_INSPECT_ID, the actions).
 */
import type { IRP, NTSTATUS } from '../nt/index.ts';
import type { SOCKADDR, WSK_CONTROL_SOCKET_TYPE } from './address.ts';
import type { SOCKET_CATEGORIES, SocketCategory } from './categories.ts';
import type { WSK_BUF, WSK_DATA_INDICATION } from './data-types.ts';
import type {
  PFN_WSK_RECEIVE_FROM,
  PFN_WSK_RELEASE_DATAGRAM_INDICATION_LIST,
  PFN_WSK_SEND_MESSAGES,
  PFN_WSK_SEND_TO,
} from './datagram-types.ts';
import type { PWSK_SOCKET } from './socket-state.ts';


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
 * WSK_INSPECT_ID (docs/model.md#inspect-pend-complete-abort): identifies one connection request to
 * a conditional-accept listener. The values carry no meaning; compare both fields, never the
 * pointer. The object a callback receives is valid during the call only (copy it:
 * `{ ...InspectID }`).
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

/** WSK_INSPECT_ACTION (docs/model.md#wskinspectevent, wsk.h order). */
export type WSK_INSPECT_ACTION = number;
export const WskInspectReject = 0;
export const WskInspectAccept = 1;
export const WskInspectPend = 2;
export const WskInspectMax = 3;
/**
 * The listening page's sample spells them without the prefix (docs/design.md#the-wsk-surface): both
 * work.
 */
export const InspectReject = WskInspectReject;
export const InspectAccept = WskInspectAccept;
export const InspectPend = WskInspectPend;

/**
 * PFN_WSK_INSPECT_COMPLETE (docs/model.md#wskinspectcomplete): the app's copy of the ID, accept or
 * reject.
 */
export type PFN_WSK_INSPECT_COMPLETE = (
  ListenSocket: PWSK_SOCKET,
  InspectID: PWSK_INSPECT_ID,
  Action: WSK_INSPECT_ACTION,
  Irp: IRP,
) => NTSTATUS;

/**
 * The socket-level provider routines by their member names in wsk.h's tables, each typed by its
 * PFN: what the category tables are made of (categories.ts lists each table's members).
 */
export interface ProviderRoutines {
  readonly WskControlSocket: PFN_WSK_CONTROL_SOCKET;
  readonly WskCloseSocket: PFN_WSK_CLOSE_SOCKET;
  readonly WskBind: PFN_WSK_BIND;
  readonly WskAccept: PFN_WSK_ACCEPT;
  readonly WskInspectComplete: PFN_WSK_INSPECT_COMPLETE;
  readonly WskConnect: PFN_WSK_CONNECT;
  readonly WskListen: PFN_WSK_LISTEN;
  readonly WskGetLocalAddress: PFN_WSK_GET_LOCAL_ADDRESS;
  readonly WskGetRemoteAddress: PFN_WSK_GET_REMOTE_ADDRESS;
  readonly WskSend: PFN_WSK_SEND;
  readonly WskReceive: PFN_WSK_RECEIVE;
  readonly WskDisconnect: PFN_WSK_DISCONNECT;
  /** A datagram socket's is PFN_WSK_RELEASE_DATAGRAM_INDICATION_LIST (datagram-types.ts). */
  readonly WskRelease: PFN_WSK_RELEASE_DATA_INDICATION_LIST;
  readonly WskSendTo: PFN_WSK_SEND_TO;
  readonly WskReceiveFrom: PFN_WSK_RECEIVE_FROM;
  readonly WskSendMessages: PFN_WSK_SEND_MESSAGES;
}

/** The provider dispatch table of category `C`: the members of its row in categories.ts. */
export type ProviderDispatch<C extends SocketCategory> = Pick<
  ProviderRoutines,
  (typeof SOCKET_CATEGORIES)[C]['members'][number]
>;

/** docs/model.md#provider-dispatch-tables, basic (members: categories.ts). */
export interface WSK_PROVIDER_BASIC_DISPATCH extends ProviderDispatch<'basic'> {}

/** docs/model.md#provider-dispatch-tables, listening (members: categories.ts). */
export interface WSK_PROVIDER_LISTEN_DISPATCH extends ProviderDispatch<'listen'> {}

/**
 * docs/model.md#provider-dispatch-tables, connection; the members that work (categories.ts;
 * WskConnectEx: later).
 */
export interface WSK_PROVIDER_CONNECTION_DISPATCH extends ProviderDispatch<'connection'> {}

/**
 * docs/model.md#provider-dispatch-tables, stream; the members that work (categories.ts;
 * WskConnectEx: later).
 */
export interface WSK_PROVIDER_STREAM_DISPATCH extends ProviderDispatch<'stream'> {}

/**
 * docs/model.md#datagram-sockets, datagram (members: categories.ts), its WskRelease typed for
 * WSK_DATAGRAM_INDICATION lists.
 */
export interface WSK_PROVIDER_DATAGRAM_DISPATCH
  extends Omit<ProviderDispatch<'datagram'>, 'WskRelease'> {
  readonly WskRelease: PFN_WSK_RELEASE_DATAGRAM_INDICATION_LIST;
}

// ---- client (upcall) dispatch tables (docs/model.md#client-dispatch-tables, #event-callbacks) ---

/**
 * PFN_WSK_ACCEPT_EVENT (docs/model.md#wskacceptevent): the listening socket's context, Flags
 * (WSK_FLAG_AT_DISPATCH_LEVEL or 0), the two addresses (valid during the call only), the accepted
 * socket (null once when the listening socket died) and the two out-parameters.
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
 * PFN_WSK_INSPECT_EVENT (docs/model.md#wskinspectevent): a connection request reached a
 * conditional-accept listener, before any handshake. The addresses and the ID are valid during the
 * call only; a NULL InspectID says the listening socket is dead.
 */
export type PFN_WSK_INSPECT_EVENT = (
  SocketContext: unknown,
  LocalAddress: SOCKADDR,
  RemoteAddress: SOCKADDR,
  InspectID: PWSK_INSPECT_ID | null,
) => WSK_INSPECT_ACTION;

/**
 * PFN_WSK_ABORT_EVENT (docs/model.md#wskabortevent): a request answered Pend or Accept was dropped.
 */
export type PFN_WSK_ABORT_EVENT = (SocketContext: unknown, InspectID: PWSK_INSPECT_ID) => NTSTATUS;

/**
 * WSK_CLIENT_LISTEN_DISPATCH: entries the client never enables may be null
 * (docs/model.md#client-dispatch-tables); the last two are needed once SO_CONDITIONAL_ACCEPT is on.
 */
export interface WSK_CLIENT_LISTEN_DISPATCH {
  readonly WskAcceptEvent: PFN_WSK_ACCEPT_EVENT | null;
  readonly WskInspectEvent?: PFN_WSK_INSPECT_EVENT | null;
  readonly WskAbortEvent?: PFN_WSK_ABORT_EVENT | null;
}

/**
 * WSK_CLIENT_CONNECTION_DISPATCH: entries never enabled may be null
 * (docs/model.md#client-dispatch-tables, #the-data-path).
 */
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

// ---- the data path's members and callbacks ---------------------------------------------------


export type PFN_WSK_SEND = (
  Socket: PWSK_SOCKET,
  Buffer: WSK_BUF,
  Flags: number,
  Irp: IRP,
) => NTSTATUS;
export type PFN_WSK_RECEIVE = (
  Socket: PWSK_SOCKET,
  Buffer: WSK_BUF,
  Flags: number,
  Irp: IRP,
) => NTSTATUS;
export type PFN_WSK_DISCONNECT = (
  Socket: PWSK_SOCKET,
  Buffer: WSK_BUF | null,
  Flags: number,
  Irp: IRP,
) => NTSTATUS;
export type PFN_WSK_RELEASE_DATA_INDICATION_LIST = (
  Socket: PWSK_SOCKET,
  DataIndication: WSK_DATA_INDICATION,
) => NTSTATUS;

/**
 * PFN_WSK_RECEIVE_EVENT (docs/model.md#wskreceiveevent): the socket's context, Flags, the indicated
 * list (null once when the socket died), the bytes indicated and BytesAccepted (set it only to
 * accept part of the indication).
 */
export type PFN_WSK_RECEIVE_EVENT = (
  SocketContext: unknown,
  Flags: number,
  DataIndication: WSK_DATA_INDICATION | null,
  BytesIndicated: number,
  BytesAccepted: { value: number },
) => NTSTATUS;
/**
 * PFN_WSK_DISCONNECT_EVENT (docs/model.md#wskdisconnectevent-and-wsksendbacklogevent): Flags
 * WSK_FLAG_ABORTIVE for a peer reset.
 */
export type PFN_WSK_DISCONNECT_EVENT = (SocketContext: unknown, Flags: number) => NTSTATUS;
/**
 * PFN_WSK_SEND_BACKLOG_EVENT (docs/model.md#wskdisconnectevent-and-wsksendbacklogevent): the new
 * ideal send backlog.
 */
export type PFN_WSK_SEND_BACKLOG_EVENT = (
  SocketContext: unknown,
  IdealBacklogSize: number,
) => NTSTATUS;
