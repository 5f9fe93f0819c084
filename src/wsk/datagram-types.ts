/**
 * wsk.h's datagram part (docs/model.md#datagram-sockets): WSK_DATAGRAM_INDICATION, WSK_BUF_LIST,
 * the PFN_WSK_* types of the datagram provider members and of WskReceiveFromEvent, and the
 * datagram dispatch tables, in wsk.h's order:
 *
 *   typedef struct _WSK_PROVIDER_DATAGRAM_DISPATCH {
 *     WSK_PROVIDER_BASIC_DISPATCH Basic;      // WskControlSocket, WskCloseSocket
 *     PFN_WSK_BIND WskBind;
 *     PFN_WSK_SEND_TO WskSendTo;
 *     PFN_WSK_RECEIVE_FROM WskReceiveFrom;
 *     PFN_WSK_RELEASE_DATAGRAM_INDICATION_LIST WskRelease;
 *     PFN_WSK_GET_LOCAL_ADDRESS WskGetLocalAddress;
 *     PFN_WSK_SEND_MESSAGES WskSendMessages;   // NTDDI_WIN10_RS2 and later
 *   } WSK_PROVIDER_DATAGRAM_DISPATCH;
 *
 * Pages (their URLs: docs/model.md#datagram-sockets): "WSK_PROVIDER_DATAGRAM_DISPATCH structure
 * (wsk.h)", "WSK_DATAGRAM_INDICATION structure (wsk.h)", "WSK_CLIENT_DATAGRAM_DISPATCH structure
 * (wsk.h)", and the callback functions (wsk.h) PFN_WSK_SEND_TO, PFN_WSK_RECEIVE_FROM,
 * PFN_WSK_RECEIVE_FROM_EVENT, PFN_WSK_RELEASE_DATAGRAM_INDICATION_LIST, PFN_WSK_SEND_MESSAGES.
 *
 * MSG_TRUNC 0x0100 and MSG_CTRUNC 0x0200 are ws2def.h's (the ControlFlags WskReceiveFrom
 * returns). Control information (ControlInfo, ancillary data) is not modelled: its length is 0.
 */
import type { IRP, NTSTATUS } from '../nt/index.ts';
import type { SOCKADDR } from './address.ts';
import type { WSK_BUF } from './data-types.ts';
import type { PWSK_SOCKET } from './socket-state.ts';

/** ws2def.h: the datagram was larger than the buffer and was truncated. */
export const MSG_TRUNC = 0x0100;
/** ws2def.h: the control data was truncated (never set: no control data here). */
export const MSG_CTRUNC = 0x0200;

/** wsk.h WSK_DATAGRAM_INDICATION: one datagram of the list WskReceiveFromEvent indicates. */
export class WSK_DATAGRAM_INDICATION {
  Next: WSK_DATAGRAM_INDICATION | null;
  readonly Buffer: WSK_BUF;
  /** Control information (none here: NULL, length 0). */
  readonly ControlInfo: null = null;
  readonly ControlInfoLength: number = 0;
  /** The sender, in the socket's family (valid while the indication is the driver's). */
  readonly RemoteAddress: SOCKADDR;

  /** @internal WSK allocates indications (datagram-socket.ts). */
  constructor(Next: WSK_DATAGRAM_INDICATION | null, Buffer: WSK_BUF, RemoteAddress: SOCKADDR) {
    this.Next = Next;
    this.Buffer = Buffer;
    this.RemoteAddress = RemoteAddress;
  }
}
export type PWSK_DATAGRAM_INDICATION = WSK_DATAGRAM_INDICATION;

/** wsk.h WSK_BUF_LIST: one datagram of WskSendMessages's list. */
export interface WSK_BUF_LIST {
  Next: WSK_BUF_LIST | null;
  Buffer: WSK_BUF;
}
export type PWSK_BUF_LIST = WSK_BUF_LIST;

export type PFN_WSK_SEND_TO = (
  Socket: PWSK_SOCKET,
  Buffer: WSK_BUF,
  Flags: number,
  RemoteAddress: SOCKADDR | null,
  ControlInfoLength: number,
  ControlInfo: unknown,
  Irp: IRP,
) => NTSTATUS;

export type PFN_WSK_RECEIVE_FROM = (
  Socket: PWSK_SOCKET,
  Buffer: WSK_BUF,
  Flags: number,
  RemoteAddress: SOCKADDR | null,
  ControlLength: { value: number } | null,
  ControlInfo: unknown,
  ControlFlags: { value: number } | null,
  Irp: IRP,
) => NTSTATUS;

export type PFN_WSK_RELEASE_DATAGRAM_INDICATION_LIST = (
  Socket: PWSK_SOCKET,
  DatagramIndication: WSK_DATAGRAM_INDICATION,
) => NTSTATUS;

export type PFN_WSK_SEND_MESSAGES = (
  Socket: PWSK_SOCKET,
  DatagramList: WSK_BUF_LIST,
  Flags: number,
  RemoteAddress: SOCKADDR | null,
  ControlInfoLength: number,
  ControlInfo: unknown,
  Irp: IRP,
) => NTSTATUS;

/**
 * PFN_WSK_RECEIVE_FROM_EVENT: the socket's context, Flags (WSK_FLAG_AT_DISPATCH_LEVEL or 0), the
 * indicated list (NULL once when the socket stopped working).
 */
export type PFN_WSK_RECEIVE_FROM_EVENT = (
  SocketContext: unknown,
  Flags: number,
  DataIndication: WSK_DATAGRAM_INDICATION | null,
) => NTSTATUS;

/** WSK_CLIENT_DATAGRAM_DISPATCH: its one entry may be NULL while the event is never enabled. */
export interface WSK_CLIENT_DATAGRAM_DISPATCH {
  readonly WskReceiveFromEvent: PFN_WSK_RECEIVE_FROM_EVENT | null;
}
