/**
 * Conditional accept on a listening socket (docs/model.md#wskinspectevent, #wskabortevent,
 * #conditional-accept; docs/tcp.md#deferred-accept), over the TCP stack's deferred listener
 * (tcp/port.ts: offers, decide, withdrawals).
 *
 * - Setup: SO_CONDITIONAL_ACCEPT with an IRP before bind (socket-control.ts) makes the socket
 *   listen in deferred mode once bound; WskInspectEvent and WskAbortEvent are then on for good
 *   (docs/model.md#turning-conditional-accept-on, #events-per-category: not enable-able, not
 *   disable-able).
 * - A SYN (not a retransmission: those are absorbed while a request is pended,
 *   docs/policies.md#conditional-accept-policies) runs WskInspectEvent(SocketContext, LocalAddress,
 *   RemoteAddress, InspectID) before anything goes on the wire
 *   (docs/model.md#inspect-pend-complete-abort [hdr]). The addresses and the ID are fresh objects
 *   valid during the call only (transient.ts). The ID is { Key: the listening socket's id,
 *   SerialNumber: the request's id }: two requests never share one, and a copy compares equal by
 *   content. WskInspectAccept → SYN-ACK at once; WskInspectReject → the TCP profile's rejectAnswer
 *   (RST,ACK; 'silent' drops, docs/policies.md#conditional-accept-policies); WskInspectPend →
 *   nothing on the wire. Any other value is WSK-INSPECT-EVENT-RETURN, and the request is rejected.
 * - WskAbortEvent(SocketContext, InspectID) when a request answered Pend or Accept goes away
 *   before it is accepted (docs/model.md#wskabortevent, #conditional-accept-on-the-wire): the
 *   client's RST, the SYN-ACK schedule exhausted, the pend lifetime (the TCP profile's
 *   offerLifetime, 30 s), the listening socket closed (before the close IRP completes) or dead.
 *   After an Accept exactly one of delivery (WskAccept or WskAcceptEvent, listen-socket.ts) or
 *   abort follows (tcp/delivery.ts keeps the offer until it is accepted). WskAbortEvent must return
 *   STATUS_SUCCESS (WSK-ABORT-EVENT-RETURN).
 * - WskInspectComplete(ListenSocket, InspectID, Action, Irp) finds the request by content
 *   (docs/model.md#wskinspectcomplete, #inspect-pend-complete-abort): a pended one is accepted
 *   (SYN-ACK now) or rejected, STATUS_SUCCESS. One that was aborted meanwhile: STATUS_SUCCESS,
 *   nothing established (docs/policies.md#conditional-accept-policies). An ID never pended on this
 *   socket: the same, with the advisory WSK-INSPECT-UNKNOWN-ID. A second call for one ID is
 *   WSK-INSPECT-COMPLETE-TWICE; an action other than accept or reject WSK-INSPECT-COMPLETE-ACTION
 *   with STATUS_INVALID_PARAMETER (policy: docs/policies.md#conditional-accept-policies). A socket
 *   not in conditional mode, or not listening: STATUS_INVALID_DEVICE_STATE [gap,
 *   docs/model.md#wskinspectcomplete].
 * - Death (listen-socket.ts `invalidate`): pended and accepted requests are aborted, then
 *   WskInspectEvent runs once with a NULL InspectID (docs/model.md#wskinspectevent;
 *   #pitfalls-and-races, pitfall 9). [gap: model's choice,
 *   docs/policies.md#conditional-accept-policies] The accept callback's NULL indication is not
 *   delivered as well, so the driver hears of the death once.
 * - SIO_WSK_QUERY_INSPECT_ID (docs/model.md#socket-options-and-control) on a socket accepted from a
 *   conditional listening socket writes its ID; on any other socket STATUS_INVALID_DEVICE_REQUEST.
 * - A request left pended, neither completed nor aborted, is WSK-INSPECTION-PENDED at the end
 *   of the run (docs/design.md#liveness-at-the-end-of-a-run, outstanding.ts).
 * - A pended request's phase (pended, decided, aborted, finished) changes only through
 *   setInspectionPhase, asserted against lifecycle.ts's table.
 */
import type { ListenerHandler, Offer, OfferAnswer, TcpListener } from '../tcp/port.ts';
import { assert } from '../sim/index.ts';
import { AF_INET } from './address.ts';
import {
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
  statusName,
  type IRP,
  type NTSTATUS,
} from '../nt/index.ts';
import { newSockaddr } from './socket-address.ts';
import type { SocketCore } from './socket-core.ts';
import { ABORT_CALLBACK, INSPECT_CALLBACK, type SocketEvents } from './socket-events.ts';
import {
  WSK_INSPECT_ID,
  WskInspectAccept,
  WskInspectPend,
  WskInspectReject,
  type PFN_WSK_ABORT_EVENT,
  type PFN_WSK_INSPECT_EVENT,
  type PWSK_INSPECT_ID,
  type WSK_INSPECT_ACTION,
} from './dispatch-types.ts';
import { setInspectionPhase, type InspectionPhase } from './lifecycle.ts';
import { type Endpoint, type PWSK_SOCKET, type SocketState } from './socket-state.ts';
import { transient } from './transient.ts';

/** sizeof(WSK_INSPECT_ID) on x64: a ULONG_PTR and a ULONG, padded. */
const INSPECT_ID_SIZE = 16;

/** A request the driver answered WskInspectPend. */
interface Inspection {
  readonly listener: TcpListener;
  /**
   * 'pended' until WskInspectComplete decides it or the request is aborted; written only by
   * setInspectionPhase (lifecycle.ts), which checks the move.
   */
  readonly phase: InspectionPhase;
  /** The virtual time the phase last changed (set with it by setInspectionPhase). */
  readonly stateSince: number;
}

/** A pended inspection as the end-of-run check lists it. */
export interface PendedInspection {
  readonly socket: number;
  readonly id: WSK_INSPECT_ID;
  /** The virtual time it was pended (its last change of phase). */
  readonly since: number;
  /** Where the driver made the listening socket, when sites are recorded. */
  readonly site?: string;
}

/** @internal A request answered WskInspectPend, as the invariant checker reads it. */
export interface InspectionView {
  readonly socket: SocketState;
  readonly request: number;
  readonly phase: InspectionPhase;
  readonly listener: TcpListener;
}

export class ConditionalAccept {
  readonly #core: SocketCore;
  readonly #events: SocketEvents;
  /** Pended requests of each conditional listening socket, by request id. */
  readonly #pended = new Map<SocketState, Map<number, Inspection>>();
  /** The inspect ID of each socket accepted from a conditional listening socket. */
  readonly #ids = new WeakMap<SocketState, WSK_INSPECT_ID>();

  constructor(core: SocketCore, events: SocketEvents) {
    this.#core = core;
    this.#events = events;
  }

  /** The TCP listener's handler for a conditional listening socket. */
  handler(state: SocketState, onReady: () => void): ListenerHandler {
    return {
      onReady,
      onOffer: (listener, offer) => this.#inspect(state, listener, offer),
      onOfferWithdrawn: (_listener, offer) => this.#abort(state, offer),
    };
  }

  WskInspectComplete(
    ListenSocket: PWSK_SOCKET,
    InspectID: PWSK_INSPECT_ID,
    Action: WSK_INSPECT_ACTION,
    Irp: IRP,
  ): NTSTATUS {
    const call = 'WskInspectComplete';
    const core = this.#core;
    const state = core.enter(ListenSocket, call, Irp);
    if (typeof state === 'number') return state;
    if (!state.options.conditionalAccept || !state.listening) {
      return core.finish(call, Irp, STATUS_INVALID_DEVICE_STATE);
    }
    if (Action !== WskInspectAccept && Action !== WskInspectReject) {
      const detail = `Action ${String(Action)}: only WskInspectAccept or WskInspectReject`;
      core.k.violation('WSK-INSPECT-COMPLETE-ACTION', detail, { socket: state.id, irp: Irp.id });
      return core.finish(call, Irp, STATUS_INVALID_PARAMETER);
    }
    const key = readId(InspectID);
    const inspection =
      key?.Key === state.id ? this.#pended.get(state)?.get(key.SerialNumber) : null;
    if (inspection === undefined || inspection === null) {
      core.k.advisory('WSK-INSPECT-UNKNOWN-ID', `${call}: ${idText(key)} was never pended here`);
      return core.finish(call, Irp, STATUS_SUCCESS);
    }
    if (inspection.phase === 'decided' || inspection.phase === 'finished') {
      const detail = `${call} again for ${idText(key)}`;
      core.k.violation('WSK-INSPECT-COMPLETE-TWICE', detail, { socket: state.id, irp: Irp.id });
      return core.finish(call, Irp, STATUS_SUCCESS);
    }
    const serial = (key as WSK_INSPECT_ID).SerialNumber;
    const now = core.k.sim.now;
    if (inspection.phase !== 'pended') {
      // Aborted meanwhile: nothing to decide (module header).
      setInspectionPhase(inspection, 'finished', state.id, serial, now);
    } else {
      setInspectionPhase(inspection, 'decided', state.id, serial, now);
      const answer = Action === WskInspectAccept ? 'accept' : 'reject';
      const result = inspection.listener.decide(serial, answer);
      assert(result.ok, `a pended request the stack does not know: ${idText(key)}`);
    }
    return core.finish(call, Irp, STATUS_SUCCESS);
  }

  /** A socket accepted from conditional listening socket `listen` keeps its request's ID. */
  noteAccepted(listen: SocketState, accepted: SocketState, requestId: number): void {
    this.#ids.set(accepted, new WSK_INSPECT_ID(listen.id, requestId));
  }

  /** SIO_WSK_QUERY_INSPECT_ID: the status and the bytes written. */
  queryInspectId(
    state: SocketState,
    OutputSize: number,
    OutputBuffer: unknown,
  ): [NTSTATUS, number] {
    const id = this.#ids.get(state);
    if (id === undefined || state.role !== 'connection') return [STATUS_INVALID_DEVICE_REQUEST, 0];
    if (OutputSize < INSPECT_ID_SIZE || typeof OutputBuffer !== 'object' || OutputBuffer === null) {
      return [STATUS_BUFFER_TOO_SMALL, 0];
    }
    Object.assign(OutputBuffer, { Key: id.Key, SerialNumber: id.SerialNumber });
    return [STATUS_SUCCESS, INSPECT_ID_SIZE];
  }

  /**
   * The listening socket died: WskInspectEvent once with a NULL InspectID
   * (docs/model.md#wskinspectevent; #pitfalls-and-races, pitfall 9).
   */
  indicateDeath(state: SocketState): void {
    const any = { address: state.family === AF_INET ? '0.0.0.0' : '::', port: 0 };
    this.#callInspect(state, state.bound ?? any, any, null);
  }

  /** The listening socket closed or died: its books go (its requests were aborted first). */
  forget(state: SocketState): void {
    this.#pended.delete(state);
  }

  /** @internal Every request answered WskInspectPend and not forgotten, for the checker. */
  inspections(): InspectionView[] {
    const list: InspectionView[] = [];
    for (const [socket, pended] of this.#pended) {
      for (const [request, { phase, listener }] of pended) {
        list.push({ socket, request, phase, listener });
      }
    }
    return list;
  }

  /** Requests left pended, for the end-of-run check. */
  stillPended(): PendedInspection[] {
    const list: PendedInspection[] = [];
    for (const [state, pended] of this.#pended) {
      const site = this.#core.siteOf(state);
      for (const [id, inspection] of pended) {
        if (inspection.phase !== 'pended') continue;
        const since = inspection.stateSince;
        const entry = { socket: state.id, id: new WSK_INSPECT_ID(state.id, id), since };
        list.push(site === undefined ? entry : { ...entry, site });
      }
    }
    return list;
  }

  #inspect(state: SocketState, listener: TcpListener, offer: Offer): OfferAnswer {
    const local = { address: offer.localAddress, port: offer.localPort };
    const remote = { address: offer.remoteAddress, port: offer.remotePort };
    const id = new WSK_INSPECT_ID(state.id, offer.id);
    const action = this.#callInspect(state, local, remote, id);
    // Closed from inside the callback: the request went with the listener.
    if (state.closed || state.listener !== listener) return 'reject';
    switch (action) {
      case WskInspectAccept:
        return 'accept';
      case WskInspectReject:
        return 'reject';
      case WskInspectPend: {
        const stateSince = this.#core.k.sim.now;
        this.#pendedOf(state).set(offer.id, { listener, phase: 'pended', stateSince });
        return 'later';
      }
      default: {
        const detail = `WskInspectEvent returned ${String(action)}; the request is rejected`;
        this.#core.k.violation('WSK-INSPECT-EVENT-RETURN', detail, { socket: state.id });
        return 'reject';
      }
    }
  }

  /** Runs WskInspectEvent with transient addresses and ID (null: the socket is dead). */
  #callInspect(
    state: SocketState,
    local: Endpoint,
    remote: Endpoint,
    id: WSK_INSPECT_ID | null,
  ): WSK_INSPECT_ACTION {
    const k = this.#core.k;
    const callback = this.#events.callback(state, INSPECT_CALLBACK) as PFN_WSK_INSPECT_EVENT;
    assert(callback !== null, 'a conditional listening socket without WskInspectEvent');
    const Local = transient(k, newSockaddr(state.family, local), 'LocalAddress', state.id);
    const Remote = transient(k, newSockaddr(state.family, remote), 'RemoteAddress', state.id);
    const Id = id === null ? null : inspectView(this.#core, id, state);
    const action = this.#events.invoke(state, INSPECT_CALLBACK, () =>
      callback(state.context, Local.view, Remote.view, Id === null ? null : Id.view),
    );
    Local.revoke();
    Remote.revoke();
    Id?.revoke();
    this.#events.traced(state, 'WskInspectEvent', actionName(action), id?.SerialNumber);
    return action;
  }

  /** A request answered Pend or Accept went away before it was accepted: WskAbortEvent. */
  #abort(state: SocketState, offer: Offer): void {
    const inspection = this.#pended.get(state)?.get(offer.id);
    if (inspection !== undefined) {
      // One the driver decided is finished (it accepted it: a rejected one is never aborted).
      const next = inspection.phase === 'decided' ? 'finished' : 'aborted';
      setInspectionPhase(inspection, next, state.id, offer.id, this.#core.k.sim.now);
    }
    const k = this.#core.k;
    const callback = this.#events.callback(state, ABORT_CALLBACK) as PFN_WSK_ABORT_EVENT;
    assert(callback !== null, 'a conditional listening socket without WskAbortEvent');
    const Id = inspectView(this.#core, new WSK_INSPECT_ID(state.id, offer.id), state);
    const status = this.#events.invoke(state, ABORT_CALLBACK, () =>
      callback(state.context, Id.view),
    );
    Id.revoke();
    this.#events.traced(state, 'WskAbortEvent', statusName(status), offer.id);
    if (status !== STATUS_SUCCESS) {
      const detail = `WskAbortEvent returned ${statusName(status)}; only STATUS_SUCCESS is allowed`;
      k.violation('WSK-ABORT-EVENT-RETURN', detail, { socket: state.id });
    }
  }

  #pendedOf(state: SocketState): Map<number, Inspection> {
    let pended = this.#pended.get(state);
    if (pended === undefined) {
      pended = new Map();
      this.#pended.set(state, pended);
    }
    return pended;
  }
}

function inspectView(core: SocketCore, id: WSK_INSPECT_ID, state: SocketState) {
  return transient(core.k, id, 'InspectID', state.id, 'WSK-INSPECT-ID-AFTER-RETURN');
}

/** The two fields of the driver's InspectID argument (its copy), or null when it has none. */
function readId(InspectID: unknown): WSK_INSPECT_ID | null {
  if (typeof InspectID !== 'object' || InspectID === null) return null;
  const { Key, SerialNumber } = InspectID as { Key?: unknown; SerialNumber?: unknown };
  if (typeof Key !== 'number' || typeof SerialNumber !== 'number') return null;
  return new WSK_INSPECT_ID(Key, SerialNumber);
}

function idText(id: WSK_INSPECT_ID | null): string {
  return id === null
    ? 'no inspect ID'
    : `inspect ID {Key ${id.Key}, SerialNumber ${id.SerialNumber}}`;
}

function actionName(action: WSK_INSPECT_ACTION): string {
  switch (action) {
    case WskInspectReject:
      return 'WskInspectReject';
    case WskInspectAccept:
      return 'WskInspectAccept';
    case WskInspectPend:
      return 'WskInspectPend';
    default:
      return String(action);
  }
}
