/**
 * The client callbacks of a connection socket's data path and WskRelease
 * (docs/model.md#rules-for-every-callback, #wskreceiveevent,
 * #wskdisconnectevent-and-wsksendbacklogevent, #wskrelease; #pitfalls-and-races,
 * pitfalls 9, 15, 16): WskReceiveEvent with its return-value rules, WskDisconnectEvent,
 * WskSendBacklogEvent. connection-data.ts decides when they run.
 *
 * WskReceiveEvent (docs/model.md#wskreceiveevent), run only while no WskReceive is queued (pending
 * receives take precedence, connection-data.ts has the race), never re-entered for one socket
 * (docs/model.md#rules-for-every-callback):
 * - The indication is one WSK_DATA_INDICATION holding every in-order byte the transport has
 *   (a copy, peeked: nothing is consumed before the callback answers). A WskReceive the callback
 *   posts meanwhile is queued, not served from these bytes (connection-data.ts): it gets what
 *   follows what the callback accepts, so no byte is delivered twice or lost. Flags carry
 *   WSK_FLAG_AT_DISPATCH_LEVEL when it runs at DISPATCH_LEVEL; WSK_FLAG_RELEASE_ASAP and
 *   WSK_FLAG_ENTIRE_MESSAGE are never set (the TCP port shows no PSH; no buffer pressure).
 * - STATUS_SUCCESS with BytesAccepted untouched: all consumed, indications go on. A smaller
 *   BytesAccepted: that many consumed, the rest stays in the transport, and indications pause
 *   until a WskReceive completes (its completion, not its serving). STATUS_PENDING: all
 *   consumed, the list is the driver's until WskRelease, indications go on.
 *   STATUS_DATA_NOT_ACCEPTED: nothing consumed, indications pause until a WskReceive (a
 *   zero-length one will do) completes.
 * - Anything else, or a BytesAccepted above BytesIndicated, is the violation
 *   WSK-RECEIVE-EVENT-RETURN; the model then goes on as for STATUS_DATA_NOT_ACCEPTED (a status)
 *   or as if all were accepted (a bad count).
 * - An indication not retained is WSK's again when the callback returns: its MDL counts as
 *   freed, so MmGetSystemAddressForMdlSafe on it afterwards is MDL-USE-AFTER-FREE. WskRelease
 *   frees a retained list's MDLs the same way.
 * - NULL DataIndication: once, when the connection failed (peer RST, retransmission limit) or
 *   the transport invalidated the socket; not after a local abort, which the driver made.
 *
 * WskRelease (docs/model.md#wskrelease): the head of a list retained with STATUS_PENDING →
 * STATUS_SUCCESS. Any other pointer, or a list released already, is the violation
 * WSK-RELEASE-NOT-RETAINED (returning the documented STATUS_INVALID_PARAMETER): in Windows it hands
 * memory back twice. Retained lists at WskCloseSocket are the violation WSK-INDICATION-NOT-RELEASED
 * (docs/model.md#wskclosesocket, #wskrelease: close does not release them, and WskRelease "must
 * come before the close"; after the close no WskRelease is possible, so they leak for certain); on
 * sockets still open at the end of a run they are listed by outstanding.ts under the same rule.
 *
 * WskDisconnectEvent (docs/model.md#wskdisconnectevent-and-wsksendbacklogevent): Flags 0 at the
 * peer's FIN, WSK_FLAG_ABORTIVE when the connection failed (peer RST, or the retransmission limit:
 * policy, the connection is gone as after an RST); each flavour at most once. WskSendBacklogEvent
 * (same section): when the ideal send backlog (socket-ioctl.ts) changes. Both must return
 * STATUS_SUCCESS (WSK-DISCONNECT-EVENT-RETURN, WSK-SEND-BACKLOG-EVENT-RETURN otherwise).
 */
import type { TcpConnection } from '../tcp/port.ts';
import {
  WSK_EVENT_DISCONNECT,
  WSK_EVENT_RECEIVE,
  WSK_EVENT_SEND_BACKLOG,
  WSK_FLAG_AT_DISPATCH_LEVEL,
} from './address.ts';
import {
  DISPATCH_LEVEL,
  MDL,
  STATUS_DATA_NOT_ACCEPTED,
  STATUS_INVALID_PARAMETER,
  STATUS_PENDING,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  statusName,
  type NTSTATUS,
} from '../nt/index.ts';
import type { DataState } from './data-state.ts';
import { WSK_DATA_INDICATION, WSK_FLAG_ABORTIVE } from './data-types.ts';
import {
  type PFN_WSK_DISCONNECT_EVENT,
  type PFN_WSK_RECEIVE_EVENT,
  type PFN_WSK_SEND_BACKLOG_EVENT,
} from './dispatch-types.ts';
import type { SocketCore } from './socket-core.ts';
import type { SocketEvents } from './socket-events.ts';
import { idealSendBacklog } from './socket-ioctl.ts';
import type { PWSK_SOCKET, SocketState } from './socket-state.ts';
import type { ViolationId } from './rules.ts';

/** Bits of DataState.disconnects: the flavours of WskDisconnectEvent delivered. */
const GRACEFUL = 1;
const ABORTIVE = 2;

export class ReceiveIndications {
  readonly #core: SocketCore;
  readonly #events: SocketEvents;

  constructor(core: SocketCore, events: SocketEvents) {
    this.#core = core;
    this.#events = events;
  }

  WskRelease(Socket: PWSK_SOCKET, DataIndication: WSK_DATA_INDICATION): NTSTATUS {
    const call = 'WskRelease';
    const core = this.#core;
    const state = core.check(Socket, call);
    if (state === null) return STATUS_UNSUCCESSFUL;
    const retained = state.data?.retained;
    if (retained === undefined || !retained.has(DataIndication)) {
      const detail = `${call}: not the head of a list WskReceiveEvent retained (or released twice)`;
      core.k.violation('WSK-RELEASE-NOT-RETAINED', detail, { socket: state.id });
      return core.trace(call, STATUS_INVALID_PARAMETER);
    }
    retained.delete(DataIndication);
    revoke(DataIndication);
    return core.trace(call, STATUS_SUCCESS);
  }

  /** WskReceiveEvent may run now: enabled, armed, not running, the socket open. */
  canIndicate(state: SocketState, data: DataState): boolean {
    if (state.closed || data.indicating || data.indications !== 'armed') return false;
    if ((state.events & WSK_EVENT_RECEIVE) === 0) return false;
    return this.#events.callback(state, WSK_EVENT_RECEIVE) !== null;
  }

  /** Indicates the transport's readable bytes once and settles the answer. */
  indicate(state: SocketState, data: DataState, connection: TcpConnection): void {
    const bytes = connection.peek().slice();
    const Mdl = new MDL(bytes);
    const indication = new WSK_DATA_INDICATION(null, { Mdl, Offset: 0, Length: bytes.length });
    const accepted = { value: bytes.length };
    const status = this.#runReceiveEvent(state, data, indication, bytes.length, accepted);
    this.#settle(state, data, connection, indication, status, accepted.value);
  }

  /**
   * The NULL indication, once, when the socket stopped working (docs/model.md#wskreceiveevent;
   * #pitfalls-and-races, pitfall 9).
   */
  indicateDeath(state: SocketState, data: DataState): void {
    if (data.deathIndicated || state.closed || (state.events & WSK_EVENT_RECEIVE) === 0) return;
    data.deathIndicated = true;
    const status = this.#runReceiveEvent(state, data, null, 0, { value: 0 });
    if (status !== STATUS_SUCCESS && status !== STATUS_DATA_NOT_ACCEPTED) {
      this.#badReturn(state, 'WSK-RECEIVE-EVENT-RETURN', 'WskReceiveEvent (NULL indication)',
        status);
    }
  }

  /** WskDisconnectEvent: the peer's FIN (graceful) or the connection's failure (abortive). */
  disconnectEvent(state: SocketState, data: DataState, abortive: boolean): void {
    const bit = abortive ? ABORTIVE : GRACEFUL;
    if ((data.disconnects & bit) !== 0 || state.closed) return;
    if ((state.events & WSK_EVENT_DISCONNECT) === 0) return;
    const event = WSK_EVENT_DISCONNECT;
    const callback = this.#events.callback(state, event) as PFN_WSK_DISCONNECT_EVENT | null;
    if (callback === null) return;
    data.disconnects |= bit;
    const k = this.#core.k;
    const status = this.#events.invoke(state, WSK_EVENT_DISCONNECT, () =>
      callback(state.context, (abortive ? WSK_FLAG_ABORTIVE : 0) | atDispatch(k.irql)),
    );
    this.#events.traced(state, 'WskDisconnectEvent', statusName(status));
    if (status !== STATUS_SUCCESS) {
      this.#badReturn(state, 'WSK-DISCONNECT-EVENT-RETURN', 'WskDisconnectEvent', status);
    }
  }

  /** WskSendBacklogEvent when the ideal send backlog changed since last reported. */
  backlogChanged(state: SocketState, data: DataState, connection: TcpConnection): void {
    const backlog = idealSendBacklog(connection);
    if (backlog === data.backlog) return;
    data.backlog = backlog;
    if (state.closed || (state.events & WSK_EVENT_SEND_BACKLOG) === 0) return;
    const event = WSK_EVENT_SEND_BACKLOG;
    const callback = this.#events.callback(state, event) as PFN_WSK_SEND_BACKLOG_EVENT | null;
    if (callback === null) return;
    const status = this.#events.invoke(state, event, () => callback(state.context, backlog));
    this.#events.traced(state, 'WskSendBacklogEvent', statusName(status));
    if (status !== STATUS_SUCCESS) {
      this.#badReturn(state, 'WSK-SEND-BACKLOG-EVENT-RETURN', 'WskSendBacklogEvent', status);
    }
  }

  /**
   * WskCloseSocket's part: retained lists can never be released now (docs/model.md#wskclosesocket;
   * #pitfalls-and-races, pitfall 15).
   */
  closing(state: SocketState, data: DataState): void {
    if (data.retained.size === 0) return;
    const detail =
      `WskCloseSocket on socket #${state.id} with ${data.retained.size} retained ` +
      'indication list(s) not released with WskRelease';
    this.#core.k.violation('WSK-INDICATION-NOT-RELEASED', detail, { socket: state.id });
  }

  #runReceiveEvent(
    state: SocketState,
    data: DataState,
    indication: WSK_DATA_INDICATION | null,
    indicated: number,
    accepted: { value: number },
  ): NTSTATUS {
    const callback = this.#events.callback(state, WSK_EVENT_RECEIVE) as PFN_WSK_RECEIVE_EVENT;
    const k = this.#core.k;
    data.indicating = true;
    let status: NTSTATUS;
    try {
      status = this.#events.invoke(state, WSK_EVENT_RECEIVE, () =>
        callback(state.context, atDispatch(k.irql), indication, indicated, accepted),
      );
    } finally {
      data.indicating = false;
    }
    this.#events.traced(state, 'WskReceiveEvent', statusName(status));
    return status;
  }

  /**
   * What the answer to an indication does to the data and to further indications
   * (docs/model.md#wskreceiveevent).
   */
  #settle(
    state: SocketState,
    data: DataState,
    connection: TcpConnection,
    indication: WSK_DATA_INDICATION,
    status: NTSTATUS,
    accepted: number,
  ): void {
    const indicated = indication.Buffer.Length;
    if (status === STATUS_PENDING) {
      connection.read(indicated);
      data.retained.set(indication, this.#core.k.sim.now);
      if (state.closed) this.closing(state, data);
      return;
    }
    revoke(indication);
    if (status === STATUS_SUCCESS) {
      const valid = Number.isSafeInteger(accepted) && accepted >= 0 && accepted <= indicated;
      if (!valid) {
        const detail = `BytesAccepted ${String(accepted)} of ${indicated} indicated`;
        this.#badReturn(state, 'WSK-RECEIVE-EVENT-RETURN', 'WskReceiveEvent', status, detail);
      }
      const taken = valid ? accepted : indicated;
      connection.read(taken);
      if (taken < indicated) data.indications = 'paused';
      return;
    }
    if (status !== STATUS_DATA_NOT_ACCEPTED) {
      this.#badReturn(state, 'WSK-RECEIVE-EVENT-RETURN', 'WskReceiveEvent', status);
    }
    data.indications = 'paused';
  }

  #badReturn(
    state: SocketState,
    rule: ViolationId,
    callback: string,
    status: NTSTATUS,
    detail = `returned ${statusName(status)}, which the documentation does not allow`,
  ): void {
    this.#core.k.violation(rule, `${callback} ${detail}`, { socket: state.id });
  }
}

/** The Flags bit a callback gets at DISPATCH_LEVEL (docs/model.md#rules-for-every-callback). */
function atDispatch(irql: number): number {
  return irql >= DISPATCH_LEVEL ? WSK_FLAG_AT_DISPATCH_LEVEL : 0;
}

/** The list's buffers are WSK's again: their MDLs count as freed. */
function revoke(indication: WSK_DATA_INDICATION): void {
  for (let item: WSK_DATA_INDICATION | null = indication; item !== null; item = item.Next) {
    const Mdl = item.Buffer.Mdl;
    if (Mdl !== null) Mdl.freed = true;
  }
}
