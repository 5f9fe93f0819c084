/**
 * The socket-level types of wsk.h as this model exposes them (reference/wsk.md §2.1, §2.2): the
 * PFN_WSK_* signatures with Windows' parameter order, the listening and connection-oriented
 * dispatch tables (only the members that work, in wsk.h's order), the WSK_SOCKET object WSK
 * allocates, and the model state behind it. The behaviour is in socket.ts.
 */
import type { TcpConnection, TcpListener } from '../tcp/port.ts';
import type { ADDRESS_FAMILY, SOCKADDR } from './address.ts';
import type { IRP } from './irp.ts';
import type { NTSTATUS } from './ntstatus.ts';
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

/** wsk.md §2.2 LISTEN order; present: the members that work in this slice. */
export interface WSK_PROVIDER_LISTEN_DISPATCH {
  readonly WskCloseSocket: PFN_WSK_CLOSE_SOCKET;
  readonly WskBind: PFN_WSK_BIND;
  readonly WskAccept: PFN_WSK_ACCEPT;
  readonly WskGetLocalAddress: PFN_WSK_GET_LOCAL_ADDRESS;
}

/** wsk.md §2.2 CONNECTION order; present: the members that work in this slice. */
export interface WSK_PROVIDER_CONNECTION_DISPATCH {
  readonly WskCloseSocket: PFN_WSK_CLOSE_SOCKET;
  readonly WskBind: PFN_WSK_BIND;
  readonly WskConnect: PFN_WSK_CONNECT;
  readonly WskGetLocalAddress: PFN_WSK_GET_LOCAL_ADDRESS;
  readonly WskGetRemoteAddress: PFN_WSK_GET_REMOTE_ADDRESS;
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

/** @internal One socket's model state. */
export interface SocketState {
  readonly id: number;
  readonly kind: 'listen' | 'connection';
  readonly client: PWSK_CLIENT;
  readonly family: ADDRESS_FAMILY;
  readonly context: unknown;
  readonly clientDispatch: unknown;
  closed: boolean;
  /** Bound endpoint (wildcard address for an any-address bind); null before WskBind. */
  bound: Endpoint | null;
  /** Holds its bound port in the host's table (false for accepted sockets). */
  holdsPort: boolean;
  listener: TcpListener | null;
  readonly accepts: QueuedAccept[];
  connection: TcpConnection | null;
  /** The connection's handshake completed (connected or accepted). */
  connected: boolean;
  connectIrp: IRP | null;
  /** A WskSocketConnect whose socket is handed out only on success. */
  connectSocketIrp: IRP | null;
}

/** The socket object WSK allocates (wsk.h WSK_SOCKET: its one field is Dispatch). */
export class WSK_SOCKET {
  /** WSK_PROVIDER_LISTEN_DISPATCH or WSK_PROVIDER_CONNECTION_DISPATCH, by category. */
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
