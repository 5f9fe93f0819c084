/**
 * The data path of a connection socket (and a stream socket in its connection role): WskSend,
 * WskReceive, WskDisconnect, what the TCP port's notifications do to them, and their part of
 * WskCloseSocket (docs/model.md#the-data-path, #wskclosesocket, #wskreceiveevent, #cancellation;
 * #pitfalls-and-races, pitfalls 4, 15–18; docs/policies.md#open-wsk-questions, questions 5, 6, 10;
 * docs/tcp.md#wire-events-and-the-status-a-driver-sees). receive-indications.ts runs the callbacks.
 *
 * WskSend (docs/model.md#wsksend): Flags 0 or WSK_FLAG_NODELAY (accepted; the model's TCP has no
 * Nagle, so data leaves at once anyway). All bytes or an error, never part (docs/model.md#wsksend
 * [sample]; docs/policies.md#open-wsk-questions, question 5). When it completes is the policy
 * `wskSendCompletion` (docs/policies.md#data-path-policies): 'acknowledged' (default) when the peer
 * acknowledged its last byte, 'transmitted' when its last byte left once. The data is copied at the
 * call, so the driver may reuse its buffer once the IRP completed. A zero-length send completes at
 * once. Cancelling a pending send aborts the connection (policy [infer]: bytes handed to a stream
 * cannot be taken back; AFD does the same) and the send completes STATUS_CANCELLED, the other IRPs
 * as after a local abort.
 *
 * WskReceive (docs/model.md#wskreceive): Flags 0, WSK_FLAG_WAITALL or WSK_FLAG_DRAIN (not both;
 * DRAIN with a zero-length buffer). Queued receives complete in FIFO order [gap,
 * docs/policies.md#data-path-policies; ECHO's assumption], also when the 'IRP pends' choice defers
 * a served receive's completion (later ones wait behind it), IoStatus.Information = bytes. Without
 * WAITALL a receive completes as soon as some data is there; WAITALL when its buffer is full; DRAIN
 * discards data and completes at the FIN. Once the peer's FIN is read, every queued and later
 * receive completes STATUS_SUCCESS with what it holds (0 bytes: the FIN) [ECHO]. A zero-length
 * receive completes when data waits (its way to re-arm WskReceiveEvent,
 * docs/model.md#wskreceiveevent). WskReceiveEvent, paused by a partial BytesAccepted or
 * STATUS_DATA_NOT_ACCEPTED, resumes when a WskReceive completes (docs/model.md#wskreceiveevent;
 * docs/policies.md#data-path-policies), not when it is served: with a deferred completion the next
 * indication follows the completion routine. A WskReceive posted inside WskReceiveEvent is queued,
 * never served from the bytes being indicated: those are the callback's if it accepts them and
 * still the transport's if not, so the receive gets what follows what the callback accepted
 * [infer; docs/policies.md#data-path-policies; issue 18, defect 4]. Pending receives are
 * cancellable (STATUS_CANCELLED, docs/model.md#cancellation). Queued receives take precedence
 * over WskReceiveEvent, except by the choice 'receive callback despite queued WskReceive'
 * (probability `receiveCallbackRace`, default 0; docs/model.md#wskreceive, #wskreceiveevent).
 *
 * Events enabled late (docs/model.md#enabling-and-disabling-events; policy wskIndicateOnEnable,
 * docs/policies.md#data-path-policies): "Enabling and Disabling Event Callback Functions" and the
 * WskReceiveEvent / WskDisconnectEvent pages do not say what becomes of data or a FIN that arrived
 * before the driver enabled the events, though a driver can enable them only after connect. By
 * default ('buffered') they are indicated right after the enable succeeds: not inside the
 * WskControlSocket call, which returns first, but on a zero-delay event, the data (WskReceiveEvent,
 * unless a queued WskReceive takes it) before the FIN (WskDisconnectEvent Flags 0), at the IRQL of
 * every callback (DISPATCH_LEVEL with WSK_FLAG_AT_DISPATCH_LEVEL, or PASSIVE by the choice
 * 'callback at PASSIVE'). 'arrivals' waits for more data, as the model did before (issue 18,
 * defect 1). WskAcceptEvent's connections already waiting are indicated likewise
 * (listen-socket.ts).
 *
 * WskDisconnect (docs/model.md#wskdisconnect): graceful (Flags 0): the optional final buffer is
 * sent, then the FIN; the IRP completes when the FIN is acknowledged
 * (docs/policies.md#data-path-policies), possibly never; it is cancellable (STATUS_CANCELLED, the
 * FIN stays sent) and an abortive disconnect or a close forces it (STATUS_CANCELLED, policy: the
 * word docs/model.md#wskdisconnect uses for what an abort does to sends). Later sends and a second
 * graceful disconnect → STATUS_INVALID_DEVICE_STATE (policy [gap]: the code
 * docs/model.md#local-and-remote-addresses gives for a call in the wrong state). Abortive
 * (WSK_FLAG_ABORTIVE, Buffer NULL): RST; pending sends and a pending graceful disconnect complete
 * STATUS_CANCELLED (policy: "all in-progress and pending sends are cancelled" [doc]), pending
 * receives and every later data call STATUS_CONNECTION_ABORTED (policy:
 * docs/model.md#connect-and-connection-failures, a local abort); the abortive IRP itself completes
 * STATUS_SUCCESS, also when the connection had already ended.
 *
 * Failures (socket-status.ts dataFailureStatus, docs/policies.md#open-wsk-questions, question 10):
 * a peer RST fails pending and later data calls with STATUS_CONNECTION_RESET, the retransmission
 * limit with STATUS_CONNECTION_ABORTED; WskDisconnectEvent(WSK_FLAG_ABORTIVE) and the NULL
 * indication follow. A send or receive on a socket that is not connected →
 * STATUS_INVALID_DEVICE_STATE (the code docs/model.md#local-and-remote-addresses gives for the same
 * condition).
 *
 * Close (docs/model.md#wskclosesocket; #pitfalls-and-races, pitfalls 4, 15, 18): pending data IRPs
 * complete STATUS_CANCELLED (docs/policies.md#completion-and-cancellation-policies); a connection
 * whose graceful disconnect completed (our FIN acknowledged) is not aborted, so the peer sees no
 * RST (docs/model.md#echo-server-expectations); every other live connection is aborted (RST). A
 * transport invalidation (the fault verb) fails them STATUS_FILE_FORCED_CLOSED
 * (docs/model.md#rules-common-to-every-call) and indicates NULL.
 *
 * Bad arguments (docs/policies.md#data-path-policies: STATUS_INVALID_PARAMETER plus an advisory):
 * Flags outside the call's documented ones or a forbidden combination (WSK-DATA-FLAGS), a WSK_BUF
 * that does not describe its bytes (WSK-BUF-INVALID, wsk-buf.ts). A WSK_BUF over a freed MDL is
 * MDL-USE-AFTER-FREE.
 */
import type { SendError, TcpConnection } from '../tcp/port.ts';
import { WSK_EVENT_DISCONNECT, WSK_EVENT_RECEIVE } from './address.ts';
import type { Outcome } from '../tcp/state.ts';
import { DataState, type CompletingReceive, type PendingReceive } from './data-state.ts';
import {
  WSK_FLAG_ABORTIVE,
  WSK_FLAG_DRAIN,
  WSK_FLAG_NODELAY,
  WSK_FLAG_WAITALL,
  type WSK_BUF,
} from './data-types.ts';
import {
  STATUS_CANCELLED,
  STATUS_CONNECTION_ABORTED,
  STATUS_FILE_FORCED_CLOSED,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_INVALID_PARAMETER,
  STATUS_PENDING,
  STATUS_SUCCESS,
  type IRP,
  type NTSTATUS,
} from '../nt/index.ts';
import type { ReceiveIndications } from './receive-indications.ts';
import type { SocketCore } from './socket-core.ts';
import { dataFailureStatus } from './socket-status.ts';
import type { PWSK_SOCKET, SocketState } from './socket-state.ts';
import { bufFreed, bufProblem, bufRead, bufWrite } from './wsk-buf.ts';

export class ConnectionData {
  readonly #core: SocketCore;
  readonly #indications: ReceiveIndications;

  constructor(core: SocketCore, indications: ReceiveIndications) {
    this.#core = core;
    this.#indications = indications;
  }

  WskSend(Socket: PWSK_SOCKET, Buffer: WSK_BUF, Flags: number, Irp: IRP): NTSTATUS {
    const call = 'WskSend';
    const core = this.#core;
    const state = core.enter(Socket, call, Irp);
    if (typeof state === 'number') return state;
    if ((Flags & ~WSK_FLAG_NODELAY) !== 0) return this.#badFlags(call, Irp, Flags);
    const bad = this.#badBuffer(call, Irp, Buffer);
    if (bad !== null) return bad;
    const connection = this.#usable(state);
    if (typeof connection === 'number') return core.finish(call, Irp, connection);
    const data = this.dataOf(state, connection);
    if (data.shutDown) return core.finish(call, Irp, STATUS_INVALID_DEVICE_STATE);
    if (Buffer.Length === 0) return core.finish(call, Irp, STATUS_SUCCESS, 0);
    const bytes = bufRead(Buffer);
    const result = connection.send(bytes);
    if (!result.ok) return core.finish(call, Irp, sendErrorStatus(result.error, data));
    data.queued += bytes.length;
    data.sends.push({ irp: Irp, id: result.id, end: data.queued, length: bytes.length });
    core.irps.pend(Irp, (irp) => this.#sendCancelled(state, data, irp));
    return core.trace(call, STATUS_PENDING);
  }

  WskReceive(Socket: PWSK_SOCKET, Buffer: WSK_BUF, Flags: number, Irp: IRP): NTSTATUS {
    const call = 'WskReceive';
    const core = this.#core;
    const state = core.enter(Socket, call, Irp);
    if (typeof state === 'number') return state;
    const known = WSK_FLAG_WAITALL | WSK_FLAG_DRAIN;
    if ((Flags & ~known) !== 0) return this.#badFlags(call, Irp, Flags);
    const waitAll = (Flags & WSK_FLAG_WAITALL) !== 0;
    const drain = (Flags & WSK_FLAG_DRAIN) !== 0;
    if (waitAll && drain) return this.#badFlags(call, Irp, Flags, 'WAITALL and DRAIN together');
    const bad = this.#badBuffer(call, Irp, Buffer);
    if (bad !== null) return bad;
    if (drain && Buffer.Length !== 0) {
      return this.#badFlags(call, Irp, Flags, 'WSK_FLAG_DRAIN with a non-empty buffer');
    }
    const connection = this.#usable(state);
    if (typeof connection === 'number') return core.finish(call, Irp, connection);
    const data = this.dataOf(state, connection);
    const entry: PendingReceive = { irp: Irp, buffer: Buffer, waitAll, drain, filled: 0 };
    // Inside WskReceiveEvent every readable byte is the indication's: the receive is queued and
    // gets what follows what the callback accepts (module header).
    if (data.receives.length === 0 && !data.indicating && serve(connection, entry)) {
      // Inline unless the choice pends it or an earlier receive's completion is still due.
      if (!core.irps.choosePending() && data.receivesCompleting.length === 0) {
        const status = core.irps.completeInline(Irp, STATUS_SUCCESS, entry.filled);
        this.#rearm(state, data);
        return core.trace(call, status);
      }
      core.irps.pend(Irp);
      this.#completeReceiveLater(state, data, Irp, entry.filled);
      return core.trace(call, STATUS_PENDING);
    }
    data.receives.push(entry);
    core.irps.pend(Irp, () => {
      const index = data.receives.indexOf(entry);
      if (index >= 0) data.receives.splice(index, 1);
    });
    return core.trace(call, STATUS_PENDING);
  }

  WskDisconnect(Socket: PWSK_SOCKET, Buffer: WSK_BUF | null, Flags: number, Irp: IRP): NTSTATUS {
    const call = 'WskDisconnect';
    const core = this.#core;
    const state = core.enter(Socket, call, Irp);
    if (typeof state === 'number') return state;
    if ((Flags & ~WSK_FLAG_ABORTIVE) !== 0) return this.#badFlags(call, Irp, Flags);
    const abortive = (Flags & WSK_FLAG_ABORTIVE) !== 0;
    if (abortive && Buffer !== null) {
      return this.#badFlags(call, Irp, Flags, 'an abortive disconnect with a Buffer');
    }
    const bad = Buffer === null ? null : this.#badBuffer(call, Irp, Buffer);
    if (bad !== null) return bad;
    const connection = connectedOf(state);
    if (connection === null) return core.finish(call, Irp, STATUS_INVALID_DEVICE_STATE);
    const data = this.dataOf(state, connection);
    if (abortive) {
      if (data.failure === null) this.#abortLocally(data, connection);
      return core.finish(call, Irp, STATUS_SUCCESS);
    }
    if (data.failure !== null) return core.finish(call, Irp, data.failure);
    if (data.shutDown) return core.finish(call, Irp, STATUS_INVALID_DEVICE_STATE);
    const started = this.#shutdown(data, connection, Buffer);
    if (started !== STATUS_SUCCESS) return core.finish(call, Irp, started);
    data.disconnect = Irp;
    core.irps.pend(Irp, (irp) => {
      if (data.disconnect === irp) data.disconnect = null;
    });
    return core.trace(call, STATUS_PENDING);
  }

  /** The data state of a connected socket, made on first need. */
  dataOf(state: SocketState, connection: TcpConnection): DataState {
    let data = state.data;
    if (data === null) {
      data = state.data = new DataState();
      data.backlog = connection.sendCapacity;
    }
    return data;
  }

  // ---- the TCP port's notifications (connection-socket.ts's handler forwards them) ----------

  onData(state: SocketState): void {
    this.pump(state);
  }

  /**
   * SO_WSK_EVENT_CALLBACK enabled `mask` on a connected socket: data and a peer's FIN that came
   * before are indicated on a zero-delay event, by the policy wskIndicateOnEnable 'buffered'
   * (module header; issue 18, defect 1). Nothing is scheduled when nothing waits.
   */
  eventsEnabled(state: SocketState, mask: number): void {
    const k = this.#core.k;
    if ((k.options.wskIndicateOnEnable ?? 'buffered') !== 'buffered') return;
    const connection = connectedOf(state);
    if (connection === null || (state.data?.failure ?? null) !== null) return;
    const data = (mask & WSK_EVENT_RECEIVE) !== 0 && connection.readable > 0;
    const fin = (mask & WSK_EVENT_DISCONNECT) !== 0 && connection.peerFinished;
    if (!data && !fin) return;
    k.sim.schedule(0, `${k.host} wsk indications after enable`, () => {
      this.pump(state);
      const live = this.#live(state);
      if (live !== null && live.failure === null && connection.peerFinished) {
        this.#indications.disconnectEvent(state, live, false);
      }
    });
  }

  onTransmitted(state: SocketState, connection: TcpConnection): void {
    const data = this.#live(state);
    if (data === null) return;
    if (this.#core.k.options.wskSendCompletion === 'transmitted') {
      const left = data.queued - connection.unsent;
      while (data.sends.length > 0 && (data.sends[0]?.end ?? Infinity) <= left) {
        this.#completeFirstSend(data);
      }
    }
    this.#indications.backlogChanged(state, data, connection);
  }

  onAcknowledged(state: SocketState, connection: TcpConnection, id: number): void {
    const data = this.#live(state);
    if (data === null) return;
    // In 'transmitted' mode the sends completed already; an ACK implies they left.
    while (data.sends.length > 0 && (data.sends[0]?.id ?? Infinity) <= id) {
      this.#completeFirstSend(data);
    }
    if (data.finId !== 0 && id >= data.finId) {
      data.gracefullyDisconnected = true;
      const irp = data.disconnect;
      data.disconnect = null;
      if (irp !== null) this.#core.irps.complete(irp, STATUS_SUCCESS, 0);
    }
    if (!state.closed) this.#indications.backlogChanged(state, data, connection);
  }

  onPeerFin(state: SocketState): void {
    this.pump(state);
    const data = this.#live(state);
    if (data !== null && data.failure === null) {
      this.#indications.disconnectEvent(state, data, false);
    }
  }

  onClosed(state: SocketState, outcome: Outcome): void {
    const data = this.#live(state);
    if (data === null || data.failure !== null) return;
    if (outcome === 'closed') return this.pump(state); // both FINs: receives see the end
    this.#fail(data, dataFailureStatus(outcome));
    this.#indications.disconnectEvent(state, data, true);
    this.#indications.indicateDeath(state, data);
  }

  /** WskCloseSocket's part (or the transport's invalidation); true: the close sends no RST. */
  close(state: SocketState): boolean {
    const data = state.data;
    if (data === null) return false;
    if (!state.closed) {
      // Invalidated by the transport: the socket is dead
      // (docs/model.md#rules-common-to-every-call).
      this.#fail(data, STATUS_FILE_FORCED_CLOSED);
      this.#indications.indicateDeath(state, data);
      return false;
    }
    this.#fail(data, STATUS_CANCELLED);
    this.#indications.closing(state, data);
    return data.gracefullyDisconnected;
  }

  /**
   * Runs the receive side: queued receives first (FIFO), then WskReceiveEvent for what is left,
   * until neither can make progress.
   */
  pump(state: SocketState): void {
    const connection = state.connection;
    for (;;) {
      const data = this.#live(state);
      if (data === null || connection === null || data.failure !== null) return;
      const readable = connection.readable > 0;
      const indicate = readable && this.#indications.canIndicate(state, data);
      if (data.receives.length > 0 && !(indicate && this.#race())) {
        if (!this.#serveQueue(state, data, connection)) return;
        continue;
      }
      if (!indicate) return;
      this.#indications.indicate(state, data, connection);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** The data state of an open, connected socket, or null. */
  #live(state: SocketState): DataState | null {
    const connection = connectedOf(state);
    return state.closed || connection === null ? null : this.dataOf(state, connection);
  }

  /** A connected socket's connection, or the status a data call gets. */
  #usable(state: SocketState): TcpConnection | NTSTATUS {
    const connection = connectedOf(state);
    if (connection === null) return STATUS_INVALID_DEVICE_STATE;
    return state.data?.failure ?? connection;
  }

  /** Completes the queue's heads while they can; true when one completed. */
  #serveQueue(state: SocketState, data: DataState, connection: TcpConnection): boolean {
    let progressed = false;
    for (;;) {
      const head = data.receives[0];
      if (head === undefined || state.closed || data.failure !== null) return progressed;
      if (!serve(connection, head)) return progressed;
      data.receives.shift();
      progressed = true;
      if (data.receivesCompleting.length > 0) {
        this.#completeReceiveLater(state, data, head.irp, head.filled);
      } else {
        this.#core.irps.complete(head.irp, STATUS_SUCCESS, head.filled);
        this.#rearm(state, data);
      }
    }
  }

  /**
   * Completes a served receive on a zero-delay event. Receives served after it complete on later
   * events too, so completions keep the order in which the receives got their bytes (FIFO, which
   * ECHO's two outstanding receives rely on). Each event completes the earliest receive still
   * due, not its own, so the order holds whichever of the events a same-instant choice fires
   * first. Its bytes are in its buffer already, so it is no longer cancellable: IoCancelIrp
   * meanwhile only sets Irp.Cancel (a queued receive's cancel routine would complete it
   * STATUS_CANCELLED with 0 bytes, and the bytes would be lost).
   */
  #completeReceiveLater(state: SocketState, data: DataState, Irp: IRP, filled: number): void {
    const k = this.#core.k;
    this.#core.irps.IoSetCancelRoutine(Irp, null);
    data.receivesCompleting.push({ irp: Irp, filled });
    Irp.completionDue = true;
    k.sim.schedule(0, `${k.host} irp ${Irp.id} completes`, () => {
      const { irp, filled: bytes } = data.receivesCompleting.shift() as CompletingReceive;
      irp.completionDue = false;
      if (irp.state !== 'pending') return;
      this.#core.irps.complete(irp, STATUS_SUCCESS, bytes);
      this.#rearm(state, data);
    });
  }

  /**
   * A completed receive re-arms WskReceiveEvent (docs/model.md#wskreceiveevent: no more
   * indications until a WskReceive completes); it runs on a later event. Called after the
   * completion, not when the receive is served: with a deferred completion (the 'IRP pends'
   * choice) the next indication comes after the receive's completion routine ran (issue 18,
   * defect 4).
   */
  #rearm(state: SocketState, data: DataState): void {
    if (data.indications === 'armed') return;
    data.indications = 'armed';
    if (data.pumpScheduled) return;
    data.pumpScheduled = true;
    this.#core.k.sim.schedule(0, `${this.#core.k.host} wsk receive side`, () => {
      data.pumpScheduled = false;
      this.pump(state);
    });
  }

  #race(): boolean {
    const k = this.#core.k;
    const probability = k.options.receiveCallbackRace ?? 0;
    return k.choices.chance('receive callback despite queued WskReceive', probability);
  }

  #completeFirstSend(data: DataState): void {
    const send = data.sends.shift();
    if (send !== undefined) this.#core.irps.complete(send.irp, STATUS_SUCCESS, send.length);
  }

  /** The final buffer (if any), then the FIN; SUCCESS when both were queued. */
  #shutdown(data: DataState, connection: TcpConnection, Buffer: WSK_BUF | null): NTSTATUS {
    if (Buffer !== null && Buffer.Length > 0) {
      const bytes = bufRead(Buffer);
      const sent = connection.send(bytes);
      if (!sent.ok) return sendErrorStatus(sent.error, data);
      data.queued += bytes.length;
    }
    const result = connection.shutdown();
    if (!result.ok) return sendErrorStatus(result.error, data);
    data.shutDown = true;
    data.finId = result.id;
    return STATUS_SUCCESS;
  }

  /** WSK_FLAG_ABORTIVE, or a cancelled send: RST, and the IRPs complete (module header). */
  #abortLocally(data: DataState, connection: TcpConnection): void {
    this.#fail(data, STATUS_CONNECTION_ABORTED, STATUS_CANCELLED);
    if (connection.outcome === null) connection.abort();
  }

  #sendCancelled(state: SocketState, data: DataState, irp: IRP): void {
    const index = data.sends.findIndex((send) => send.irp === irp);
    if (index >= 0) data.sends.splice(index, 1);
    const connection = state.connection;
    if (data.failure === null && connection !== null) this.#abortLocally(data, connection);
  }

  /**
   * Fails every pending data IRP with `status` (sends and a graceful disconnect with `cancelled`
   * when given: a local abort cancels them), and later data calls with `status`.
   */
  #fail(data: DataState, status: NTSTATUS, cancelled: NTSTATUS = status): void {
    data.failure = status;
    const irps = this.#core.irps;
    for (const send of data.sends.splice(0)) irps.complete(send.irp, cancelled, 0);
    const disconnect = data.disconnect;
    data.disconnect = null;
    if (disconnect !== null) irps.complete(disconnect, cancelled, 0);
    for (const receive of data.receives.splice(0)) {
      irps.complete(receive.irp, status, receive.filled);
    }
  }

  #badFlags(call: string, Irp: IRP, Flags: number, what?: string): NTSTATUS {
    const detail = what ?? `Flags 0x${(Flags >>> 0).toString(16)} are not documented for it`;
    return this.#core.invalid(call, Irp, 'WSK-DATA-FLAGS', detail);
  }

  /** The bad-argument answer for a WSK_BUF that describes no bytes, or null when it is good. */
  #badBuffer(call: string, Irp: IRP, Buffer: WSK_BUF): NTSTATUS | null {
    const problem = bufProblem(Buffer);
    if (problem !== null) return this.#core.invalid(call, Irp, 'WSK-BUF-INVALID', problem);
    if (!bufFreed(Buffer)) return null;
    this.#core.k.violation('MDL-USE-AFTER-FREE', `${call} with a WSK_BUF over a freed MDL`);
    return this.#core.finish(call, Irp, STATUS_INVALID_PARAMETER);
  }
}

/** The connection of a socket in the connection role whose handshake completed, or null. */
function connectedOf(state: SocketState): TcpConnection | null {
  return state.role === 'connection' && state.connected ? state.connection : null;
}

/**
 * Moves what `entry` can take from the transport into its buffer; true when it is complete
 * (module header: without WAITALL some data, WAITALL a full buffer, DRAIN the FIN, a zero-length
 * receive data waiting, any receive the FIN once the data is read).
 */
function serve(connection: TcpConnection, entry: PendingReceive): boolean {
  const length = entry.buffer.Length;
  if (entry.drain) {
    if (connection.readable > 0) connection.read();
    return connection.peerFinished;
  }
  const want = length - entry.filled;
  if (want > 0 && connection.readable > 0) {
    const bytes = connection.read(want);
    bufWrite(entry.buffer, entry.filled, bytes);
    entry.filled += bytes.length;
  }
  if (connection.readable === 0 && connection.peerFinished) return true;
  if (length === 0) return connection.readable > 0;
  return entry.waitAll ? entry.filled === length : entry.filled > 0;
}

/** A send or shutdown the TCP port refused, as the data call reports it. */
function sendErrorStatus(error: SendError, data: DataState): NTSTATUS {
  switch (error) {
    case 'not-connected':
    case 'shut-down':
      return STATUS_INVALID_DEVICE_STATE;
    case 'closed':
      return data.failure ?? STATUS_CONNECTION_ABORTED;
    case 'invalid-argument':
      return STATUS_INVALID_PARAMETER;
  }
}
