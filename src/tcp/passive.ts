/**
 * The passive side of a host's stack: segments that reach a listener without a connection
 * (docs/tcp.md#reset-generation, the LISTEN rows), the listener's queue verdicts
 * (docs/tcp.md#listen-queue), deferred-accept offers (docs/tcp.md#deferred-accept;
 * docs/design.md#layers; docs/policies.md#conditional-accept-policies) and what the layer above
 * does to a listener (accept, decide, close). The stack hands it the few services it needs; the
 * books live on the Listener.
 */
import { assert } from '../sim/index.ts';
import { Connection, resetAnswer, type ConnectionOwner } from './connection.ts';
import { ACCEPTED, READY, withdraw } from './delivery.ts';
import type { Listener, ListenerOwner } from './listener.ts';
import type { TcpSegment } from './payload.ts';
import type { ConnectionHandler, DecideResult, Offer, OfferAnswer } from './port.ts';
import { ACK, RST, SYN, type Segment } from './segment.ts';
import { isSynchronized } from './state.ts';
import type { TcpTracer } from './tracer.ts';

/** What the stack lends the passive side. */
export interface StackServices {
  readonly owner: ConnectionOwner;
  readonly trace: TcpTracer;
  nextId(): number;
  /** Sends a segment that belongs to no connection (a RST answering one). */
  sendRaw(segment: TcpSegment): void;
  bind(connection: Connection, localIndex: number): void;
  /** Delivers notices, re-arms timers, releases a finished connection. */
  after(connection: Connection): void;
  release(connection: Connection): void;
  /** Takes a closing listener out of the listener table. */
  forget(listener: Listener): void;
}

const OK: { readonly ok: true } = Object.freeze({ ok: true });

export class PassiveOpens implements ListenerOwner {
  readonly #stack: StackServices;

  constructor(stack: StackServices) {
    this.#stack = stack;
  }

  acceptFrom(listener: Listener, handler: ConnectionHandler | undefined): Connection | null {
    const connection = listener.ready.shift();
    if (connection === undefined) return null;
    connection.bits &= ~READY;
    listener.children.delete(connection);
    if (listener.offers.size !== 0) listener.offers.delete(connection.id);
    assert(connection.outcome === null, 'a closed connection stayed in the ready queue');
    connection.bits |= ACCEPTED;
    this.#stack.trace.listener(listener.id, 'accepted', connection.id, '');
    if (handler !== undefined) connection.setHandler(handler);
    return connection;
  }

  decide(listener: Listener, offerId: number, answer: 'accept' | 'reject'): DecideResult {
    if (answer !== 'accept' && answer !== 'reject') return { ok: false, error: 'invalid-argument' };
    const entry = listener.offers.get(offerId);
    if (entry === undefined || !entry.connection.isOfferPending) {
      return { ok: false, error: 'unknown-offer' };
    }
    this.#applyAnswer(listener, entry.connection, answer);
    this.#stack.owner.settle(entry.connection);
    return OK;
  }

  /**
   * Closing a listener (docs/policies.md#conditional-accept-policies): pending offers are withdrawn
   * with nothing sent, half-open children are discarded silently (docs/tcp.md#packetdrill-checks,
   * check 7), ready ones are reset (check 8).
   */
  closeListener(listener: Listener): void {
    listener.closed = true;
    this.#stack.forget(listener);
    this.#stack.trace.listener(listener.id, 'closed', 0, '');
    for (const child of [...listener.children]) {
      if (isSynchronized(child.state)) {
        child.resetByStack(this.#stack.owner.now, 'listener closed before accept');
      } else {
        child.discard('listener closed', 'aborted');
      }
      child.notices = 0;
      const entry = listener.offers.get(child.id);
      if (entry !== undefined && child.wasOffered) {
        withdraw(listener, entry.offer, 'closed', this.#stack.trace);
      }
      this.#stack.release(child);
    }
    listener.children.clear();
    listener.ready.length = 0;
    listener.offers.clear();
  }

  /**
   * A segment for a listener and no connection (docs/tcp.md#reset-generation, the LISTEN rows;
   * #listen-queue).
   */
  onSegment(listener: Listener, segment: Segment, localIndex: number): void {
    const flags = segment.flags;
    // LISTEN + RST: nothing, never a RST for a RST.
    if ((flags & RST) !== 0) return this.#stack.trace.rejected(0, segment, 'RST to a listener');
    // LISTEN + anything with ACK (SYN,ACK included): <SEQ=SEG.ACK><CTL=RST>.
    if ((flags & ACK) !== 0) {
      this.#stack.owner.mark('tcp: listener answered ack with rst');
      return this.#stack.sendRaw(resetAnswer(segment));
    }
    // LISTEN + no SYN: dropped.
    if ((flags & SYN) === 0) return this.#stack.trace.rejected(0, segment, 'no SYN to a listener');
    const verdict = listener.admitsSyn();
    if (verdict === 'rst') {
      this.#stack.owner.mark('tcp: listen queue full, syn answered rst');
      return this.#stack.sendRaw(resetAnswer(segment));
    }
    if (verdict === 'drop') {
      this.#stack.owner.mark('tcp: listen queue full, syn dropped');
      return this.#stack.trace.rejected(0, segment, 'accept queue full: SYN dropped');
    }
    const deferred = listener.mode === 'deferred';
    const child = Connection.passive(
      this.#stack.owner, listener.profile, this.#stack.nextId(), listener, segment, deferred,
    );
    this.#stack.bind(child, localIndex);
    listener.children.add(child);
    if (listener.mode === 'immediate') child.answerSyn(this.#stack.owner.now);
    else this.#offer(listener, child);
    this.#stack.after(child);
  }

  /**
   * Deferred mode: the SYN is offered upward before any answer goes out
   * (docs/tcp.md#one-offered-request-step-by-step).
   */
  #offer(listener: Listener, child: Connection): void {
    const offer: Offer = Object.freeze({
      id: child.id, localAddress: child.localAddress, localPort: child.localPort,
      remoteAddress: child.remoteAddress, remotePort: child.remotePort,
    });
    child.holdOffer(this.#stack.owner.now, listener.offerLifetime);
    listener.offers.set(child.id, { offer, connection: child });
    const from = `${child.remoteAddress}:${child.remotePort}`;
    this.#stack.trace.offer(listener.id, child.id, 'offered', from);
    const onOffer = listener.handler.onOffer;
    const answer: OfferAnswer =
      onOffer === undefined ? 'accept' : onOffer.call(listener.handler, listener, offer);
    if (child.isOfferPending) this.#applyAnswer(listener, child, answer);
  }

  #applyAnswer(listener: Listener, child: Connection, answer: OfferAnswer): void {
    switch (answer) {
      case 'accept':
        this.#stack.trace.offer(listener.id, child.id, 'accepted', '');
        return child.acceptOffer(this.#stack.owner.now);
      case 'reject':
        this.#stack.trace.offer(listener.id, child.id, 'rejected', listener.rejectAnswer);
        listener.offers.delete(child.id);
        return child.rejectOffer(listener.rejectAnswer);
      case 'later':
        this.#stack.owner.mark('tcp: offer left pending');
        return this.#stack.trace.offer(listener.id, child.id, 'later', '');
      default:
        assert(false, `onOffer returned ${String(answer)}, not 'accept', 'reject' or 'later'`);
    }
  }
}
