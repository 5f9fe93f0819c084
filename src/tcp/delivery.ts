/**
 * Delivering what connections leave in `notices` to the layer above (port.ts). A connection the
 * user holds tells its handler, in a fixed order (established, data, bytes transmitted,
 * acknowledged sends, peer FIN, peer RST, closed). A passive child nobody has accepted yet tells
 * its listener's books instead:
 * established → the ready queue and onReady; gone → out of the queues, and an offer answered
 * 'later' or 'accept' is withdrawn with its reason (docs/model.md#wskabortevent: WskAbortEvent for
 * requests answered Pend or Accept). An offer stays on the books until its connection is accepted,
 * so a ready connection reset before anyone took it is withdrawn too: every accepted offer ends in
 * exactly one of accept() or a withdrawal (docs/model.md#inspect-pend-complete-abort). Handlers may
 * call back into the port while being told: the loop picks up whatever those calls add, and a
 * connection is never told re-entrantly.
 */
import {
  FIRST_OWNER_BIT, NOTICE_ACKED, NOTICE_CLOSED, NOTICE_DATA, NOTICE_ESTABLISHED, NOTICE_PEER_FIN,
  NOTICE_PEER_RESET, NOTICE_TRANSMITTED, type Connection, type ParentListener,
} from './connection.ts';
import type { Offer, WithdrawReason } from './port.ts';
import type { Outcome } from './state.ts';
import type { TcpTracer } from './tracer.ts';

// The stack's bits in Connection.bits (bits 20 and up belong to the owner).
/** The layer above holds it (active opens from birth, passive ones once accepted). */
export const ACCEPTED = FIRST_OWNER_BIT;
/** In its listener's ready queue. */
export const READY = FIRST_OWNER_BIT << 1;
/** In the demultiplexing table. */
export const BOUND = FIRST_OWNER_BIT << 2;
/** An active open: counts against its local port. */
export const HOLDS_PORT = FIRST_OWNER_BIT << 3;
/** A zero-delay delivery event is scheduled. */
export const NOTIFY_PENDING = FIRST_OWNER_BIT << 4;
/** Notices are being delivered right now. */
export const DELIVERING = FIRST_OWNER_BIT << 5;
/** An active open whose port the layer above shares (ConnectRequest.local.shared). */
export const SHARES_PORT = FIRST_OWNER_BIT << 6;

/** Delivers every pending notice of `connection`, including those its handlers cause. */
export function deliverNotices(connection: Connection, tracer: TcpTracer): void {
  if ((connection.bits & DELIVERING) !== 0) return;
  connection.bits |= DELIVERING;
  while (connection.notices !== 0) {
    const notices = connection.notices;
    connection.notices = 0;
    if ((connection.bits & ACCEPTED) === 0) toListener(connection, notices, tracer);
    else toHandler(connection, notices);
  }
  connection.bits &= ~DELIVERING;
}

function toHandler(connection: Connection, notices: number): void {
  if ((notices & NOTICE_ESTABLISHED) !== 0) connection.handler?.onEstablished?.(connection);
  if ((notices & NOTICE_DATA) !== 0 && connection.readable > 0) {
    connection.handler?.onData?.(connection);
  }
  if ((notices & NOTICE_TRANSMITTED) !== 0) connection.handler?.onTransmitted?.(connection);
  // An acknowledged send implies the transfer state (completeRequests allocates it).
  const transfer = connection.transfer;
  if ((notices & NOTICE_ACKED) !== 0 && transfer !== null) {
    while (transfer.notifiedId < transfer.ackedId) {
      const id = ++transfer.notifiedId;
      connection.handler?.onAcknowledged?.(connection, id);
    }
  }
  if ((notices & NOTICE_PEER_FIN) !== 0) connection.handler?.onPeerFin?.(connection);
  if ((notices & NOTICE_PEER_RESET) !== 0) connection.handler?.onPeerReset?.(connection);
  if ((notices & NOTICE_CLOSED) !== 0) {
    connection.handler?.onClosed?.(connection, connection.outcome as Outcome);
  }
}

/** A child not yet accepted: ready → the listener's queue; gone → out of the books. */
function toListener(connection: Connection, notices: number, tracer: TcpTracer): void {
  const listener = connection.listener;
  if (listener === null || listener.closed) return;
  if ((notices & NOTICE_ESTABLISHED) !== 0 && connection.outcome === null) {
    listener.ready.push(connection);
    connection.bits |= READY;
    tracer.listener(listener.id, 'ready', connection.id, '');
    listener.handler.onReady?.(listener);
  }
  if ((notices & NOTICE_CLOSED) !== 0 && listener.children.delete(connection)) {
    if ((connection.bits & READY) !== 0) {
      listener.ready.splice(listener.ready.indexOf(connection), 1);
      connection.bits &= ~READY;
    }
    const entry = listener.offers.get(connection.id);
    listener.offers.delete(connection.id);
    if (entry !== undefined && connection.wasOffered) {
      withdraw(listener, entry.offer, withdrawReason(connection), tracer);
    }
  }
}

/** Tells a deferred listener that an offer went away. */
export function withdraw(
  listener: ParentListener, offer: Offer, reason: WithdrawReason, tracer: TcpTracer,
): void {
  tracer.offer(listener.id, offer.id, 'withdrawn', reason);
  listener.handler.onOfferWithdrawn?.(listener, offer, reason);
}

/** Why a deferred offer's connection went away, as onOfferWithdrawn names it. */
function withdrawReason(connection: Connection): WithdrawReason {
  switch (connection.outcome) {
    case 'timed-out':
      return connection.isOfferPending ? 'expired' : 'timed-out';
    case 'reset':
    case 'refused':
      return 'reset';
    default:
      return 'closed';
  }
}
