/**
 * The data path's state of one connection socket (connection-data.ts, receive-indications.ts):
 * the WskSend, WskReceive and WskDisconnect IRPs it holds, how the connection ended for the
 * driver, and the receive indications (docs/model.md#the-data-path, #wskreceiveevent). Allocated on
 * the first data call or notification, so the many sockets that only connect carry none of it.
 */
import type { WSK_BUF, WSK_DATA_INDICATION } from './data-types.ts';
import type { IRP, NTSTATUS } from '../nt/index.ts';

/** A WskSend waiting for its bytes to be acknowledged (or to leave, by the switch). */
export interface PendingSend {
  readonly irp: IRP;
  /** The TCP port's id of the send request (0 for a final buffer without an IRP of its own). */
  readonly id: number;
  /** Stream offset one past its last byte (bytes ever queued on the socket, this one included). */
  readonly end: number;
  readonly length: number;
}

/** A WskReceive waiting for data, in FIFO order. */
export interface PendingReceive {
  readonly irp: IRP;
  readonly buffer: WSK_BUF;
  readonly waitAll: boolean;
  readonly drain: boolean;
  /** Bytes written so far (WAITALL fills across arrivals). */
  filled: number;
}

/** A served receive whose completion is due on a zero-delay event, and the bytes it holds. */
export interface CompletingReceive {
  readonly irp: IRP;
  readonly filled: number;
}

/** Whether WskReceiveEvent may run (docs/model.md#wskreceiveevent). */
export type Indications =
  /** Runs when data arrives and no WskReceive is queued. */
  | 'armed'
  /** Stopped by a partial BytesAccepted or STATUS_DATA_NOT_ACCEPTED till a WskReceive completes. */
  | 'paused';

export class DataState {
  readonly sends: PendingSend[] = [];
  readonly receives: PendingReceive[] = [];
  /** Bytes ever handed to the TCP port by this socket (send offsets). */
  queued = 0;
  /** A graceful WskDisconnect waiting for its FIN's acknowledgement. */
  disconnect: IRP | null = null;
  /** The TCP port's id of our FIN (the shutdown request); 0 before a graceful disconnect. */
  finId = 0;
  /** A graceful WskDisconnect was issued: no more sends (docs/model.md#wskdisconnect). */
  shutDown = false;
  /**
   * Our FIN was acknowledged: close need not abort (docs/model.md#wskclosesocket,
   * #echo-server-expectations).
   */
  gracefullyDisconnected = false;
  /** Set once the connection failed: the status data calls complete with from then on. */
  failure: NTSTATUS | null = null;
  indications: Indications = 'armed';
  /**
   * WskReceiveEvent is running (it is never re-entered for one socket,
   * docs/model.md#rules-for-every-callback).
   */
  indicating = false;
  /**
   * Served receives whose completion waits on a zero-delay event (the 'IRP pends' choice), in the
   * order they were served; a receive served meanwhile completes after them, keeping completions
   * in FIFO order.
   */
  readonly receivesCompleting: CompletingReceive[] = [];
  /** A zero-delay event will run the receive side (re-armed indications, late receives). */
  pumpScheduled = false;
  /** The NULL indication was delivered (at most once, docs/model.md#wskreceiveevent). */
  deathIndicated = false;
  /** WskDisconnectEvent flavours delivered (receive-indications.ts bits; each at most once). */
  disconnects = 0;
  /**
   * Indication lists the driver retained with STATUS_PENDING, by their head, each with the
   * virtual time it was retained, oldest first (docs/model.md#wskrelease).
   */
  readonly retained = new Map<WSK_DATA_INDICATION, number>();
  /** The ideal send backlog last reported (WskSendBacklogEvent fires when it changes). */
  backlog = 0;
}
