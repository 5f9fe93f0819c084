/**
 * The data path's part of wsk.h (docs/model.md#the-data-path, #socket-options-and-control): the
 * flag constants of WskSend, WskReceive, WskDisconnect and WskReceiveEvent, the IOCTL
 * SIO_WSK_QUERY_IDEAL_SEND_BACKLOG, WSK_BUF and WSK_DATA_INDICATION; the PFN_WSK_* types of the
 * provider members and client callbacks are in dispatch-types.ts.
 *
 * Values, each checked against wsk.h (T-RN-R/ddk_headers km/wsk.h): WSK_FLAG_NODELAY 0x2,
 * WSK_FLAG_WAITALL 0x2, WSK_FLAG_DRAIN 0x4, WSK_FLAG_ABORTIVE 0x1, WSK_FLAG_RELEASE_ASAP 0x2,
 * WSK_FLAG_ENTIRE_MESSAGE 0x4. SIO_WSK_QUERY_IDEAL_SEND_BACKLOG is `_WSAIOR(IOC_WSK, 0x3)`:
 * IOC_OUT 0x40000000 | IOC_WSK (IOC_WS2 0x08000000 | 0x07000000) | 3 = 0x4F000003 (ws2def.h).
 *
 * WSK_BUF keeps its fields (Mdl, Offset, Length); SIZE_T out-parameters are holders `{ value }`
 * (docs/design.md#the-wsk-surface). A WSK_DATA_INDICATION is a class because WSK allocates it, as
 * it does the WSK_SOCKET.
 */
import type { MDL } from '../nt/index.ts';

/** WskSend: push this and the queued data now (docs/model.md#wsksend). */
export const WSK_FLAG_NODELAY = 0x00000002;
/**
 * WskReceive: complete only when the buffer is full, at the peer's FIN or an abort
 * (docs/model.md#wskreceive).
 */
export const WSK_FLAG_WAITALL = 0x00000002;
/**
 * WskReceive: discard incoming data until disconnect; the buffer length must be 0
 * (docs/model.md#wskreceive).
 */
export const WSK_FLAG_DRAIN = 0x00000004;
/**
 * WskDisconnect: abortive (RST); WskDisconnectEvent: the peer aborted (docs/model.md#wskdisconnect,
 * #wskdisconnectevent-and-wsksendbacklogevent).
 */
export const WSK_FLAG_ABORTIVE = 0x00000001;
/**
 * WskReceiveEvent: do not keep the indicated buffers, or give them back soon
 * (docs/model.md#wskreceiveevent).
 */
export const WSK_FLAG_RELEASE_ASAP = 0x00000002;
/**
 * WskReceiveEvent: for TCP, a PUSH was seen in at least one segment
 * (docs/model.md#wskreceiveevent).
 */
export const WSK_FLAG_ENTIRE_MESSAGE = 0x00000004;
/**
 * WskControlSocket WskIoctl: the ideal send backlog, a SIZE_T
 * (docs/model.md#socket-options-and-control, #wskdisconnectevent-and-wsksendbacklogevent).
 */
export const SIO_WSK_QUERY_IDEAL_SEND_BACKLOG = 0x4f000003;

/** wsk.h WSK_BUF: `Length` bytes from `Offset` in the first MDL of the chain `Mdl`. */
export interface WSK_BUF {
  Mdl: MDL | null;
  /** Must lie within the first MDL (wsk.h). */
  Offset: number;
  Length: number;
}
export type PWSK_BUF = WSK_BUF;

/** wsk.h WSK_DATA_INDICATION: one element of the list WskReceiveEvent indicates. */
export class WSK_DATA_INDICATION {
  Next: WSK_DATA_INDICATION | null;
  readonly Buffer: WSK_BUF;

  /** @internal WSK allocates indications (receive-indications.ts). */
  constructor(Next: WSK_DATA_INDICATION | null, Buffer: WSK_BUF) {
    this.Next = Next;
    this.Buffer = Buffer;
  }
}
export type PWSK_DATA_INDICATION = WSK_DATA_INDICATION;
