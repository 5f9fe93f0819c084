/**
 * One TCP connection: the RFC 9293 state machine, pure
 * (docs/design.md#a-readable-tcp-state-machine). It does no I/O and has no clock: every entry point
 * is handed `now`; segments leave through `owner.transmit`, the next timer is `nextDeadline()`, and
 * what the layer above must hear is left in `notices` for the owner (the per-host stack, or a test
 * harness) to deliver. Read RFC 9293 §3.5 (establishment, reset), §3.6 (closing), §3.10.7 (segment
 * arrival) and RFC 6298 first; docs/tcp.md#state-machine condenses them.
 *
 * Modelled: all RFC states with their names; three-way handshake and simultaneous open
 * (docs/tcp.md#handshake-and-simultaneous-open, four segments, ISNs unchanged); RST generation and
 * acceptance (docs/tcp.md#reset-generation, #rst-acceptance-and-rfc-5961) with RFC 5961 challenge
 * ACKs when the profile says so; half-open detection (docs/tcp.md#half-open-connections); FIN,
 * half-close, simultaneous close, TIME-WAIT with re-ACK of a retransmitted FIN
 * (docs/tcp.md#closing-and-time-wait); SYN and SYN-ACK retransmission on the profile's schedules
 * with the connect deadline and the windows retry-on-RST rule
 * (docs/tcp.md#syn-and-syn-ack-retransmission, docs/policies.md#tcp-profile-policies); MSS
 * segmentation, cumulative ACK, window scaling and receive-window flow control with zero-window
 * probes and silly-window avoidance on both sides (RFC 9293 §3.8.6.2); RFC 6298 retransmission
 * (initial RTO, minimum, maximum, backoff kept until an ACK covers data never retransmitted, Karn)
 * with RTT samples from timestamps when both sides use them (RFC 7323 §4), fast retransmit on three
 * duplicate ACKs and NewReno-style retransmission of the next hole on a partial ACK; out-of-order
 * segments buffered within the advertised window (receive-buffer.ts), duplicates discarded; abort
 * after the profile's data retransmission limit ('timed-out', nothing sent).
 *
 * Not modelled, and what it costs:
 * - Congestion control (slow start, cwnd, RFC 5681): the sender keeps at most
 *   min(peer window, profile.sendWindowLimit) bytes in flight from the first RTT on. Transfers
 *   start faster than on a real stack and losses do not slow the sender, so throughput under loss
 *   and queueing at a bottleneck are not faithful; correctness and timing of retransmission are.
 * - SACK: negotiated and shown on the wire, but recovery uses cumulative ACKs only (one hole per
 *   RTT after a loss).
 * - Delayed ACKs and Nagle: every data segment is ACKed at once and small sends leave at once.
 * - Urgent data, PAWS, keep-alives, path MTU, ICMP, challenge-ACK rate limiting, the user
 *   timeout (TCP_MAXRT), RFC 1337 (a RST ends TIME-WAIT, as on Linux by default).
 * - Data carried on SYN segments is ignored (no TCP Fast Open).
 */
import { assert } from '../sim/index.ts';
import { Handshake, NEVER } from './handshake.ts';
import { NO_OPTIONS, TcpSegment } from './payload.ts';
import type {
  AbortResult, ConnectionHandler, ListenerHandler, Offer, SendError, SendResult, TcpConnection,
  TcpListener,
} from './port.ts';
import type { RejectAnswer, TcpProfile } from './profiles.ts';
import { ReceiveBuffer } from './receive-buffer.ts';
import { afterLossyHandshake, backOff, collapseBackoff, sampleRtt } from './rtt.ts';
import {
  ACK, FIN, PSH, RST, SYN, fromWire, segmentLength, seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt,
  type Segment, type TcpOptions,
} from './segment.ts';
import { SendBuffer } from './send-buffer.ts';
import { canReceive, canSend, isLegalTransition, type Outcome, type TcpState } from './state.ts';
import { Transfer } from './transfer.ts';

/** What became of a segment handed to the owner. */
export type TransmitResult = 'sent' | 'no-route' | 'dropped';

/**
 * The owner's verdict on a passive handshake completing (the listener's queue,
 * docs/tcp.md#listen-queue).
 */
export type Admission = 'admit' | 'drop' | 'reset';

/**
 * The listener a passive connection was forked from, as its owner reads it through the child
 * (`connection.listener`): the queues the child sits in and the verdict on its handshake. The
 * connection only carries it. `Listener` (listener.ts) implements it; declaring it here keeps
 * listener.ts, which holds connections, from being imported back.
 */
export interface ParentListener extends TcpListener {
  readonly handler: ListenerHandler;
  /** Ready connections, oldest first. */
  readonly ready: Connection[];
  /** Every child not yet accepted: offered, half-open or ready. */
  readonly children: Set<Connection>;
  /** Deferred mode: the offers not accepted yet, by offer (connection) id. */
  readonly offers: Map<number, { readonly offer: Offer }>;
  /** The queue's verdict on a completing handshake. */
  admitsEstablished(): Admission;
}

/** What a connection needs from whoever runs it: the stack, or a test harness. */
export interface ConnectionOwner {
  /** The current time, read only by the port methods that the layer above calls without one. */
  readonly now: number;
  transmit(connection: Connection, segment: TcpSegment): TransmitResult;
  /** Asked when the final ACK of a passive handshake arrives. */
  admit(connection: Connection): Admission;
  /**
   * A fresh initial sequence number (docs/tcp.md#initial-sequence-numbers), as an unsigned or
   * signed 32-bit value.
   */
  initialSequence(connection: Connection): number;
  transitioned(connection: Connection, from: TcpState, to: TcpState, cause: string): void;
  reported(connection: Connection, outcome: Outcome): void;
  rejected(connection: Connection, segment: Segment, reason: string): void;
  mark(name: string): void;
  /** After a port call: deliver notices, re-arm the timer, release the connection if done. */
  settle(connection: Connection): void;
}

/** Bits of `notices`: what the owner must tell the layer above. */
export const NOTICE_ESTABLISHED = 1;
export const NOTICE_DATA = 2;
export const NOTICE_ACKED = 4;
export const NOTICE_PEER_FIN = 8;
export const NOTICE_PEER_RESET = 16;
export const NOTICE_CLOSED = 32;
export const NOTICE_TRANSMITTED = 64;

// Bits of `bits`: small facts kept in one integer so a connection stays one small object.
const PASSIVE = 1 << 0; // SYN-RECEIVED was reached from LISTEN (RFC 9293 MUST-11)
const DEFERRED = 1 << 1; // child of a deferred-accept listener
const OFFER_PENDING = 1 << 2; // offered upward, answered 'later' (state LISTEN)
const OFFERED = 1 << 3; // answered 'later' or 'accept': withdrawal is notified
const WS_OK = 1 << 4;
const SACK_OK = 1 << 5;
const TS_OK = 1 << 6;
const FIN_QUEUED = 1 << 7; // the user shut down: a FIN follows the queued data
const FIN_SENT = 1 << 8;
const FIN_RECEIVED = 1 << 9; // the peer's FIN was consumed in order
const PEER_FIN_SEEN = 1 << 10; // the peer's FIN sequence number is known (maybe beyond a gap)
const RECOVERING = 1 << 11; // after a loss, until `recoverSeq` is acknowledged
const PERSIST = 1 << 12; // `retransmitAt` is a zero-window probe
const HANDSHAKE_RETRANSMITTED = 1 << 13; // Karn: no RTT sample from this handshake
const IPV6 = 1 << 14;
const BACKED_OFF = 1 << 15; // RTO doubled since the last fresh computation
// Bits 16–19 and 20–23: the window scale shifts (0–14) of SND.WND and RCV.WND (RFC 7323).
const SND_SHIFT_AT = 16;
const RCV_SHIFT_AT = 20;
const SHIFTS = (15 << SND_SHIFT_AT) | (15 << RCV_SHIFT_AT);
/** Bits 24 and up of `bits` belong to the owner (the stack keeps its bookkeeping there). */
export const FIRST_OWNER_BIT = 1 << 24;

const EMPTY = new Uint8Array(0);

/** Why an arriving segment failed the acceptability test (RFC 9293 §3.10.7.4 Table 6). */
type Unacceptable = 'old' | 'beyond-window' | 'zero-window';

export class Connection implements TcpConnection {
  readonly owner: ConnectionOwner;
  readonly profile: TcpProfile;
  readonly id: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  listener: ParentListener | null = null;
  handler: ConnectionHandler | null = null;
  user: unknown = undefined;
  state: TcpState;
  outcome: Outcome | null = null;
  bits = 0;
  notices = 0;
  // Sequence space (RFC 9293 §3.3.1), signed 32-bit.
  iss = 0;
  irs = 0;
  sndUna = 0;
  sndNxt = 0;
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  maxSndWnd = 0;
  rcvNxt = 0;
  /** Right edge of the window we advertised last: RCV.NXT + RCV.WND never moves left. */
  rcvEdge = 0;
  sndMss = 536;
  tsRecent = 0;
  /** Opening handshake state (handshake.ts): from the open until ESTABLISHED or closed. */
  handshake: Handshake | null = null;
  /**
   * The retransmission timer as data (docs/design.md#a-readable-tcp-state-machine): SYN, SYN,ACK,
   * data or zero-window probe; NEVER when not running. The give-up and TIME-WAIT timers live in
   * `handshake` and `transfer`.
   */
  retransmitAt = NEVER;
  // Retransmission (rtt.ts, RFC 6298).
  srtt = -1;
  rttvar = 0;
  rto: number;
  /** Data transfer and closing state (transfer.ts), allocated on first need. */
  transfer: Transfer | null = null;
  /** Owner bookkeeping: where the owner's timer heap (timers.ts) holds it (-1: not held). */
  heapIndex = -1;

  constructor(
    owner: ConnectionOwner, profile: TcpProfile, id: number,
    localAddress: string, localPort: number, remoteAddress: string, remotePort: number,
    state: TcpState,
  ) {
    this.owner = owner;
    this.profile = profile;
    this.id = id;
    this.localAddress = localAddress;
    this.localPort = localPort;
    this.remoteAddress = remoteAddress;
    this.remotePort = remotePort;
    this.state = state;
    this.rto = profile.rtoInitial;
    if (localAddress.includes(':')) this.bits |= IPV6;
  }

  /** A connection for an active open, still CLOSED: call `open(now)`. */
  static active(
    owner: ConnectionOwner, profile: TcpProfile, id: number,
    localAddress: string, localPort: number, remoteAddress: string, remotePort: number,
  ): Connection {
    return new Connection(
      owner, profile, id, localAddress, localPort, remoteAddress, remotePort, 'CLOSED',
    );
  }

  /**
   * A child forked from a listener by a SYN, still in LISTEN: call `answerSyn(now)` (immediate
   * mode) or `holdOffer(now, lifetime)` (deferred mode).
   */
  static passive(
    owner: ConnectionOwner, profile: TcpProfile, id: number, listener: ParentListener | null,
    syn: Segment, deferred: boolean,
  ): Connection {
    const child = new Connection(
      owner, profile, id, syn.target, syn.targetPort, syn.source, syn.sourcePort, 'LISTEN',
    );
    child.listener = listener;
    child.bits |= PASSIVE | (deferred ? DEFERRED : 0);
    child.irs = fromWire(syn.seq);
    child.rcvNxt = seqAdd(child.irs, 1);
    child.takePeerSynOptions(syn);
    child.sndWnd = syn.window;
    child.maxSndWnd = syn.window;
    return child;
  }

  // ---------------------------------------------------------------------------------------------
  // The port (port.ts): called by the layer above, which has no clock; the owner supplies `now`.

  get readable(): number {
    return this.unread();
  }

  /** Highest send/shutdown id acknowledged (0 before any). */
  get ackedId(): number {
    return this.transfer === null ? 0 : this.transfer.ackedId;
  }

  /** The peer's window scale: SND.WND = SEG.WND << sndShift (0 without scaling). */
  get sndShift(): number {
    return (this.bits >>> SND_SHIFT_AT) & 15;
  }

  /** Our window scale: the window field is RCV.WND >> rcvShift (0 without scaling). */
  get rcvShift(): number {
    return (this.bits >>> RCV_SHIFT_AT) & 15;
  }

  get peerFinished(): boolean {
    return (this.bits & FIN_RECEIVED) !== 0;
  }

  get isPassive(): boolean {
    return (this.bits & PASSIVE) !== 0;
  }

  get isDeferred(): boolean {
    return (this.bits & DEFERRED) !== 0;
  }

  get isOfferPending(): boolean {
    return (this.bits & OFFER_PENDING) !== 0;
  }

  /** Answered 'later' or 'accept' by a deferred listener: its disappearance is notified. */
  get wasOffered(): boolean {
    return (this.bits & OFFERED) !== 0;
  }

  /** Closed for good: no timer will bring it back (a CLOSED connection may wait to retry a SYN). */
  get isFinished(): boolean {
    return this.state === 'CLOSED' && this.retransmitAt === NEVER;
  }

  setHandler(handler: ConnectionHandler): void {
    this.handler = handler;
    if (this.readable > 0) this.notices |= NOTICE_DATA;
    if (this.peerFinished) this.notices |= NOTICE_PEER_FIN;
    if (this.outcome !== null) this.notices |= NOTICE_CLOSED;
    this.owner.settle(this);
  }

  send(bytes: Uint8Array): SendResult {
    if (!(bytes instanceof Uint8Array)) return { ok: false, error: 'invalid-argument' };
    const result = this.userSend(this.owner.now, bytes);
    this.owner.settle(this);
    return result;
  }

  peek(maxBytes = Number.MAX_SAFE_INTEGER): Uint8Array {
    if (typeof maxBytes !== 'number' || !(maxBytes >= 0)) return EMPTY;
    const buffer = this.transfer === null ? null : this.transfer.receiveBuffer;
    return buffer === null ? EMPTY : buffer.peek(maxBytes);
  }

  /** Data bytes queued by `send` that have not yet left once (the FIN not counted). */
  get unsent(): number {
    const buffer = this.transfer === null ? null : this.transfer.sendBuffer;
    if (buffer === null || (this.bits & FIN_SENT) !== 0) return 0;
    return Math.max(0, buffer.length - seqDiff(this.sndNxt, this.sndUna));
  }

  /** What the sender may keep in flight: min(largest window the peer offered, profile limit). */
  get sendCapacity(): number {
    return Math.min(this.maxSndWnd, this.profile.sendWindowLimit);
  }

  read(maxBytes = Number.MAX_SAFE_INTEGER): Uint8Array {
    if (typeof maxBytes !== 'number' || !(maxBytes >= 0)) return EMPTY;
    const bytes = this.userRead(this.owner.now, maxBytes);
    this.owner.settle(this);
    return bytes;
  }

  shutdown(): SendResult {
    const result = this.userShutdown(this.owner.now);
    this.owner.settle(this);
    return result;
  }

  abort(): AbortResult {
    const result = this.userAbort(this.owner.now);
    this.owner.settle(this);
    return result;
  }

  // ---------------------------------------------------------------------------------------------
  // Pure entry points: each takes the time.

  /** Active OPEN (docs/tcp.md#transitions): CLOSED → SYN-SENT; the connect deadline starts now. */
  open(now: number): void {
    this.opening().giveUpAt = now + this.profile.connectTimeout;
    this.startAttempt(now, 'active open');
  }

  /** Immediate listener: answer the SYN with a SYN,ACK (LISTEN → SYN-RECEIVED). */
  answerSyn(now: number): void {
    if (this.state !== 'LISTEN') assert(false, `answerSyn in ${this.state}`);
    const handshake = this.beginAttempt(now);
    handshake.giveUpAt = now + this.profile.halfOpenTimeout;
    this.setState('SYN-RECEIVED', 'SYN received');
    this.rcvEdge = seqAdd(this.rcvNxt, this.synWindow());
    this.sendSynAck(now);
  }

  /** Deferred listener answered 'later': hold the SYN, absorb duplicates, expire at `lifetime`. */
  holdOffer(now: number, lifetime: number): void {
    if (this.state !== 'LISTEN') assert(false, `holdOffer in ${this.state}`);
    this.bits |= OFFER_PENDING | OFFERED;
    this.opening().giveUpAt = now + lifetime;
  }

  /** A deferred offer accepted (now or later): send the SYN,ACK. */
  acceptOffer(now: number): void {
    if ((this.bits & OFFER_PENDING) !== 0) this.bits &= ~OFFER_PENDING;
    this.answerSyn(now);
  }

  /**
   * A deferred offer rejected: RST,ACK to the SYN (docs/tcp.md#deferred-accept-on-the-wire) or
   * nothing, per the answer.
   */
  rejectOffer(answer: RejectAnswer): void {
    if (this.state !== 'LISTEN') assert(false, `rejectOffer in ${this.state}`);
    this.bits &= ~(OFFER_PENDING | OFFERED);
    if (answer === 'rst') {
      this.owner.mark('tcp: offer rejected with rst');
      this.transmit(this.rawSegment(0, this.rcvNxt, RST | ACK, 0, this.irs));
    } else {
      this.owner.mark('tcp: offer rejected silently');
    }
    this.close('aborted', `offer rejected (${answer})`);
  }

  /** The stack drops this connection without a word on the wire (host crash, listener closed). */
  discard(cause: string, outcome: Outcome): void {
    this.close(outcome, cause);
  }

  /**
   * The stack resets this connection (listener closed with it unaccepted:
   * docs/tcp.md#packetdrill-checks, check 8).
   */
  resetByStack(now: number, cause: string): void {
    this.sendRstAck(now);
    this.close('aborted', cause);
  }

  /** The earliest time a timer of this connection is due, or Infinity. */
  nextDeadline(): number {
    let deadline = this.retransmitAt === NEVER ? Infinity : this.retransmitAt;
    const giveUpAt = this.handshake === null ? NEVER : this.handshake.giveUpAt;
    if (giveUpAt !== NEVER && giveUpAt < deadline) deadline = giveUpAt;
    const timeWaitUntil = this.transfer === null ? NEVER : this.transfer.timeWaitUntil;
    if (timeWaitUntil !== NEVER && timeWaitUntil < deadline) deadline = timeWaitUntil;
    return deadline;
  }

  shouldRetransmit(now: number): boolean {
    return this.retransmitAt !== NEVER && now >= this.retransmitAt;
  }

  shouldGiveUp(now: number): boolean {
    const giveUpAt = this.handshake === null ? NEVER : this.handshake.giveUpAt;
    return giveUpAt !== NEVER && now >= giveUpAt;
  }

  shouldLeaveTimeWait(now: number): boolean {
    const timeWaitUntil = this.transfer === null ? NEVER : this.transfer.timeWaitUntil;
    return timeWaitUntil !== NEVER && now >= timeWaitUntil;
  }

  /** Runs whatever timer is due at `now`; a call before any deadline does nothing. */
  handleTimers(now: number): void {
    if (this.shouldLeaveTimeWait(now)) return this.close('closed', 'TIME-WAIT expired');
    if (this.shouldGiveUp(now)) return this.giveUp();
    if (this.shouldRetransmit(now)) return this.onRetransmitTimer(now);
  }

  /**
   * A segment for this connection's 4-tuple arrives. The acceptability check comes first, then a
   * per-state switch; each case starts with the rule it applies (RFC 9293 §3.10.7).
   */
  handleSegment(now: number, segment: Segment): void {
    switch (this.state) {
      case 'LISTEN':
        return this.onSegmentWhileOffered(segment);
      case 'SYN-SENT':
        return this.onSegmentInSynSent(now, segment);
      case 'CLOSED':
        return this.onSegmentInClosed(segment);
      case 'SYN-RECEIVED':
        return this.onSegmentInSynReceived(now, segment);
      default:
        return this.onSegmentSynchronized(now, segment);
    }
  }

  userSend(now: number, bytes: Uint8Array): SendResult {
    const error = this.sendError();
    if (error !== null) return { ok: false, error };
    const buffer = this.openSendBuffer();
    const id = buffer.push(bytes);
    if (bytes.length === 0) this.completeRequests(buffer.acknowledge(0, false));
    this.transmitData(now);
    return { ok: true, id };
  }

  userRead(now: number, maxBytes: number): Uint8Array {
    const buffer = this.transfer === null ? null : this.transfer.receiveBuffer;
    if (buffer === null || buffer.unread === 0) return EMPTY;
    const bytes = buffer.read(maxBytes);
    if (canReceive(this.state) && this.windowGrewEnough()) {
      this.owner.mark('tcp: window update after read');
      this.sendAck(now);
    }
    return bytes;
  }

  /** CLOSE as half-close (RFC 9293 §3.10.4): a FIN follows the queued data. */
  userShutdown(now: number): SendResult {
    const error = this.sendError();
    if (error !== null) return { ok: false, error };
    const buffer = this.openSendBuffer();
    const id = buffer.pushFin();
    this.bits |= FIN_QUEUED;
    this.setState(this.state === 'ESTABLISHED' ? 'FIN-WAIT-1' : 'LAST-ACK', 'shutdown');
    this.transmitData(now);
    return { ok: true, id };
  }

  /** ABORT (RFC 9293 §3.10.5): RST in synchronized states and SYN-RECEIVED; silence before. */
  userAbort(now: number): AbortResult {
    switch (this.state) {
      // A CLOSED connection waiting to retry its SYN just stops; a finished one cannot abort.
      case 'CLOSED':
        if (this.outcome !== null) return { ok: false, error: 'closed' };
        this.close('aborted', 'abort while waiting to retry the SYN');
        return { ok: true };
      // Abandoning a connect sends nothing (docs/tcp.md#packetdrill-checks, check 3;
      // #scenario-expectations, S12).
      case 'SYN-SENT':
      case 'LISTEN':
        this.close('aborted', 'abort before synchronization: nothing sent');
        return { ok: true };
      // TIME-WAIT already reported 'closed': drop the TCB quietly.
      case 'TIME-WAIT':
        this.close('closed', 'abort in TIME-WAIT');
        return { ok: true };
      default:
        this.sendRstAck(now);
        this.close('aborted', 'abort');
        return { ok: true };
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Segment arrival, per state.

  /**
   * LISTEN child with an offer pending upward (deferred accept,
   * docs/tcp.md#one-offered-request-step-by-step).
   */
  private onSegmentWhileOffered(segment: Segment): void {
    const flags = segment.flags;
    const seq = fromWire(segment.seq);
    // A RST from the client withdraws the offer if it falls in the window the SYN opened.
    if ((flags & RST) !== 0) {
      const offset = seqDiff(seq, this.rcvNxt);
      if (offset < -1 || offset >= this.synWindow()) {
        return this.reject(segment, 'RST outside the window');
      }
      this.owner.mark('tcp: offer withdrawn by client rst');
      return this.close('reset', 'client RST while the offer is pending');
    }
    // Duplicate SYNs are absorbed, not re-offered (docs/policies.md#conditional-accept-policies).
    if ((flags & SYN) !== 0 && (flags & ACK) === 0) {
      this.owner.mark('tcp: duplicate syn absorbed while offer pending');
      const reason = seq === this.irs ? 'duplicate SYN absorbed' : 'new SYN absorbed while offered';
      return this.reject(segment, reason);
    }
    // Anything acknowledging what we never sent gets <SEQ=SEG.ACK><CTL=RST>
    // (docs/tcp.md#reset-generation, group 2).
    if ((flags & ACK) !== 0) {
      this.transmit(this.rawSegment(fromWire(segment.ack), 0, RST, 0, 0));
      return this.reject(segment, 'ACK while the offer is pending');
    }
    return this.reject(segment, 'no SYN, RST or ACK while offered');
  }

  /**
   * CLOSED while waiting to retry a SYN: behave as if there were no TCB
   * (docs/tcp.md#reset-generation, group 1).
   */
  private onSegmentInClosed(segment: Segment): void {
    if ((segment.flags & RST) !== 0) return this.reject(segment, 'RST while CLOSED');
    this.transmit(resetAnswer(segment));
    return this.reject(segment, 'no connection (CLOSED): answered with RST');
  }

  private onSegmentInSynSent(now: number, segment: Segment): void {
    const flags = segment.flags;
    const ack = fromWire(segment.ack);
    const hasAck = (flags & ACK) !== 0;
    const ackOk = hasAck && seqGt(ack, this.iss) && seqLe(ack, this.sndNxt);
    // An ACK not acknowledging our SYN gets <SEQ=SEG.ACK><CTL=RST> (docs/tcp.md#reset-generation;
    // #scenario-expectations, S12, S13).
    if (hasAck && !ackOk) {
      if ((flags & RST) !== 0) return this.reject(segment, 'RST with a bad ACK in SYN-SENT');
      this.owner.mark('tcp: rst for unacceptable ack in SYN-SENT');
      this.transmit(this.rawSegment(ack, 0, RST, 0, 0));
      return this.reject(segment, 'ACK does not acknowledge our SYN');
    }
    // A RST counts only if it acknowledges our SYN (docs/tcp.md#rst-acceptance-and-rfc-5961;
    // #packetdrill-checks, check 11).
    if ((flags & RST) !== 0) {
      if (!ackOk) return this.reject(segment, 'RST without ACK in SYN-SENT');
      return this.onResetInSynSent(now);
    }
    if ((flags & SYN) === 0) return this.reject(segment, 'neither SYN nor RST in SYN-SENT');
    this.irs = fromWire(segment.seq);
    this.rcvNxt = seqAdd(this.irs, 1);
    this.takePeerSynOptions(segment);
    // SYN,ACK acknowledging our SYN completes the active open; the ACK leaves at once
    // (docs/tcp.md#packetdrill-checks, check 1).
    if (ackOk) {
      this.rcvEdge = seqAdd(this.rcvNxt, this.synWindow());
      this.establishFromSyn(now, segment, ack, 'SYN,ACK received');
      this.sendAck(now);
      return;
    }
    // A bare SYN is a simultaneous open: SYN,ACK with our original ISS
    // (docs/tcp.md#handshake-and-simultaneous-open, MUST-10).
    this.owner.mark('tcp: simultaneous open');
    this.sndWnd = segment.window;
    this.maxSndWnd = segment.window;
    const handshake = this.opening();
    handshake.attemptStart = now;
    handshake.synSent = 0;
    this.setState('SYN-RECEIVED', 'SYN received in SYN-SENT (simultaneous open)');
    this.rcvEdge = seqAdd(this.rcvNxt, this.synWindow());
    this.sendSynAck(now);
  }

  /**
   * A RST,ACK answered our SYN: refused, unless the profile retries (windows,
   * docs/tcp.md#windows-timings). The retry leaves `rstRetryDelay` after the previous SYN was
   * sent, not after its RST, and the delay does not double: SYNs at 0, 0.5, 1.0, 1.5 and 2.0 s
   * whatever the round trip, refused one round trip after the last (≈2.0 s measured on loopback;
   * KB 175523 "Winsock TCP Connection Performance to Unused Ports"; issue 18, defect 3). A RST
   * later than the delay retries at once.
   */
  private onResetInSynSent(now: number): void {
    const handshake = this.opening();
    if (handshake.rstRetries < this.profile.rstRetries) {
      handshake.rstRetries++;
      this.owner.mark('tcp: syn refused, retry scheduled');
      const retry = `${handshake.rstRetries} of ${this.profile.rstRetries}`;
      this.setState('CLOSED', `RST received; SYN retry ${retry} scheduled`);
      this.retransmitAt = Math.max(now, handshake.lastSynAt + this.profile.rstRetryDelay);
      return;
    }
    this.owner.mark('tcp: connect refused');
    this.close('refused', 'RST acknowledging our SYN');
  }

  private onSegmentInSynReceived(now: number, segment: Segment): void {
    const flags = segment.flags;
    const seq = fromWire(segment.seq);
    if ((flags & (SYN | RST)) === SYN && seq === this.irs) {
      // Simultaneous open: the peer's SYN,ACK acknowledges our SYN; no third ACK
      // (docs/tcp.md#handshake-and-simultaneous-open).
      const ack = fromWire(segment.ack);
      if ((flags & ACK) !== 0 && !this.isPassive && ack === this.sndNxt) {
        this.establishFromSyn(now, segment, ack, 'SYN,ACK received (simultaneous open)');
        return;
      }
      // A retransmitted SYN: our SYN,ACK was lost or is late; send it again
      // (docs/tcp.md#linux-timings; #scenario-expectations, S5).
      if ((flags & ACK) === 0) {
        if (!this.profile.synAckOnDuplicateSyn) {
          return this.reject(segment, 'duplicate SYN in SYN-RECEIVED');
        }
        this.owner.mark('tcp: syn-ack resent for duplicate syn');
        this.bits |= HANDSHAKE_RETRANSMITTED;
        this.transmit(this.synAckSegment(now));
        return;
      }
    }
    return this.onSegmentSynchronized(now, segment);
  }

  /** SYN-RECEIVED (after its special cases) and every synchronized state. */
  private onSegmentSynchronized(now: number, segment: Segment): void {
    const flags = segment.flags;
    const seq = fromWire(segment.seq);
    const length = segmentLength(segment);
    // TIME-WAIT: a retransmitted FIN is ACKed again and restarts the 2MSL timer
    // (docs/tcp.md#closing-and-time-wait).
    const finAgain = (flags & (FIN | RST)) === FIN && seqAdd(seq, length) === this.rcvNxt;
    if (this.state === 'TIME-WAIT' && finAgain) {
      this.owner.mark('tcp: fin re-acked in TIME-WAIT');
      this.data().timeWaitUntil = now + this.profile.timeWait;
      this.sendAck(now);
      return;
    }
    const unacceptable = this.acceptability(seq, length);
    if ((flags & RST) !== 0) return this.onReset(now, segment, seq, unacceptable);
    // An unacceptable segment gets <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and is dropped
    // (docs/tcp.md#sequence-numbers-and-acceptability).
    if (unacceptable !== null) {
      const old = unacceptable === 'old';
      this.owner.mark(old ? 'tcp: duplicate segment discarded' : 'tcp: segment beyond window');
      this.sendAck(now);
      return this.reject(segment, `unacceptable segment (${unacceptable})`);
    }
    if ((flags & SYN) !== 0) return this.onSynInWindow(now, segment);
    if ((flags & ACK) === 0) return this.reject(segment, 'no ACK bit');
    // TS.Recent follows the segment at the left edge of the window (RFC 7323 §4.3).
    const timestamp = segment.options.timestamp;
    if ((this.bits & TS_OK) !== 0 && timestamp !== undefined && seqLe(seq, this.rcvNxt)) {
      this.tsRecent = timestamp.value;
    }
    if (!this.processAck(now, segment, seq)) return;
    this.processText(now, segment, seq);
  }

  /**
   * RST in SYN-RECEIVED or a synchronized state (docs/tcp.md#rst-acceptance-and-rfc-5961,
   * RFC 5961 §3.2).
   */
  private onReset(
    now: number, segment: Segment, seq: number, unacceptable: Unacceptable | null,
  ): void {
    // 1. Outside the window: drop silently.
    if (unacceptable !== null) return this.reject(segment, 'RST outside the window');
    // 3. In the window but not exactly RCV.NXT: challenge ACK (RFC 5961 mode).
    if (this.profile.rfc5961 && seq !== this.rcvNxt) {
      this.owner.mark('tcp: challenge ack for in-window rst');
      this.sendAck(now);
      return this.reject(segment, 'RST in window but not at RCV.NXT: challenge ACK');
    }
    // 2. Exactly RCV.NXT (or anywhere in the window without RFC 5961): the reset is valid.
    switch (this.state) {
      // Passive SYN-RECEIVED returns to LISTEN without telling the user; active reports refused.
      case 'SYN-RECEIVED':
        if (this.isPassive) {
          this.owner.mark('tcp: half-open child reset');
          return this.close('reset', 'RST in SYN-RECEIVED: back to LISTEN');
        }
        return this.close('refused', 'RST in SYN-RECEIVED (active open)');
      // TIME-WAIT has already reported; just drop the TCB.
      case 'TIME-WAIT':
        return this.close('closed', 'RST in TIME-WAIT');
      default:
        this.owner.mark('tcp: connection reset by peer');
        this.notices |= NOTICE_PEER_RESET;
        return this.close('reset', 'RST received');
    }
  }

  /**
   * A SYN inside the window of a synchronized connection (docs/tcp.md#rst-acceptance-and-rfc-5961,
   * #half-open-connections).
   */
  private onSynInWindow(now: number, segment: Segment): void {
    // Passive SYN-RECEIVED returns to LISTEN (RFC 9293 §3.10.7.4 fourth); our child just closes.
    if (this.state === 'SYN-RECEIVED' && this.isPassive) {
      return this.close('reset', 'SYN in window in SYN-RECEIVED: back to LISTEN');
    }
    // RFC 5961 §4: a challenge ACK, which also lets a crashed peer discover the half-open state.
    this.owner.mark('tcp: challenge ack for syn');
    this.sendAck(now);
    return this.reject(segment, 'SYN in a synchronized state: challenge ACK');
  }

  /** RFC 9293 §3.10.7.4 Table 6, with SEG.LEN counting SYN and FIN; null when acceptable. */
  private acceptability(seq: number, length: number): Unacceptable | null {
    const window = Math.max(0, seqDiff(this.rcvEdge, this.rcvNxt));
    const offset = seqDiff(seq, this.rcvNxt);
    if (length === 0) {
      if (window === 0) return offset === 0 ? null : offset < 0 ? 'old' : 'zero-window';
      return offset < 0 ? 'old' : offset < window ? null : 'beyond-window';
    }
    const last = offset + length - 1;
    if (last < 0) return 'old';
    // A bare FIN at RCV.NXT is taken even by a closed window: a peer may close while we don't read.
    if (window === 0) return offset === 0 && length === 1 ? null : 'zero-window';
    return offset < window ? null : 'beyond-window';
  }

  /** The ACK field (RFC 9293 §3.10.7.4 fifth); false when the segment must go no further. */
  private processAck(now: number, segment: Segment, seq: number): boolean {
    const ack = fromWire(segment.ack);
    if (this.state === 'SYN-RECEIVED' && !this.completePassiveOpen(now, segment, ack)) return false;
    // An ACK for something not yet sent is answered with an ACK and dropped.
    if (seqGt(ack, this.sndNxt)) {
      this.sendAck(now);
      this.reject(segment, 'ACK of unsent data');
      return false;
    }
    // RFC 5961 §5: an ACK older than the largest window the peer could have seen is dropped.
    if (this.profile.rfc5961 && seqLt(ack, seqAdd(this.sndUna, -this.maxSndWnd))) {
      this.sendAck(now);
      this.reject(segment, 'ACK too old (RFC 5961 §5)');
      return false;
    }
    const window = segment.window * 2 ** this.sndShift;
    // An acceptable ACK answers our zero-window probes: the peer is alive (RFC 9293 §3.8.6.1).
    if ((this.bits & PERSIST) !== 0) this.data().retries = 0;
    if (seqGt(ack, this.sndUna)) {
      this.onAckAdvance(now, ack, segment.options.timestamp);
    } else if (this.isDuplicateAck(segment, ack, window)) {
      this.onDuplicateAck(now);
    }
    this.updateSendWindow(now, seq, ack, window);
    return this.afterAck(now);
  }

  /**
   * SYN-RECEIVED: an ACK of our SYN,ACK completes the open if the listener admits it
   * (docs/tcp.md#listen-queue).
   */
  private completePassiveOpen(now: number, segment: Segment, ack: number): boolean {
    // An ACK outside SND.UNA..SND.NXT draws <SEQ=SEG.ACK><CTL=RST> (docs/tcp.md#reset-generation).
    if (!(seqGt(ack, this.sndUna) && seqLe(ack, this.sndNxt))) {
      this.transmit(this.rawSegment(ack, 0, RST, 0, 0));
      this.reject(segment, 'ACK outside SND.UNA..SND.NXT in SYN-RECEIVED');
      return false;
    }
    if (this.isPassive) {
      const admission = this.owner.admit(this);
      // linux, accept queue full: the final ACK is dropped; the SYN,ACK timer runs on
      // (docs/tcp.md#linux-accept-queue).
      if (admission === 'drop') {
        this.owner.mark('tcp: final ack dropped, accept queue full');
        this.reject(segment, 'final ACK dropped: accept queue full');
        return false;
      }
      // linux with tcp_abort_on_overflow: answer with RST.
      if (admission === 'reset') {
        this.owner.mark('tcp: final ack reset, accept queue full');
        this.transmit(this.rawSegment(ack, 0, RST, 0, 0));
        this.close('aborted', 'accept queue full (abort on overflow)');
        return false;
      }
    }
    this.sndUna = ack;
    this.sndWnd = segment.window * 2 ** this.sndShift;
    this.maxSndWnd = Math.max(this.maxSndWnd, this.sndWnd);
    this.sndWl1 = fromWire(segment.seq);
    this.sndWl2 = ack;
    this.finishHandshake(now, 'ACK of SYN,ACK received');
    return true;
  }

  /** SYN-SENT or active SYN-RECEIVED: the peer's SYN,ACK acknowledged our SYN. */
  private establishFromSyn(now: number, segment: Segment, ack: number, cause: string): void {
    this.sndUna = ack;
    this.sndWnd = segment.window;
    this.maxSndWnd = Math.max(this.maxSndWnd, segment.window);
    this.sndWl1 = fromWire(segment.seq);
    this.sndWl2 = ack;
    this.finishHandshake(now, cause);
  }

  private finishHandshake(now: number, cause: string): void {
    if ((this.bits & HANDSHAKE_RETRANSMITTED) === 0) {
      sampleRtt(this, now - this.opening().attemptStart, this.profile);
    } else {
      afterLossyHandshake(this, this.profile);
    }
    this.retransmitAt = NEVER;
    this.handshake = null;
    this.setState('ESTABLISHED', cause);
    this.notices |= NOTICE_ESTABLISHED;
  }

  private onAckAdvance(now: number, ack: number, timestamp: TcpOptions['timestamp']): void {
    const acked = seqDiff(ack, this.sndUna);
    const finAcked = (this.bits & FIN_SENT) !== 0 && ack === this.sndNxt;
    const dataAcked = finAcked ? acked - 1 : acked;
    this.sndUna = ack;
    const sendBuffer = this.transfer === null ? null : this.transfer.sendBuffer;
    if (sendBuffer !== null) {
      this.completeRequests(sendBuffer.acknowledge(dataAcked, finAcked));
    } else {
      assert(dataAcked === 0, 'data acknowledged without a send buffer');
    }
    const transfer = this.data();
    transfer.retries = 0;
    transfer.dupAcks = 0;
    this.takeRttSample(now, ack, timestamp);
    // RFC 6298 §5.2–5.3: stop the timer when all is acknowledged, else restart it.
    this.bits &= ~PERSIST;
    this.retransmitAt = ack === this.sndNxt ? NEVER : now + this.rto;
    if ((this.bits & RECOVERING) !== 0) {
      // A partial ACK after a loss: the next hole is lost too; retransmit it now (NewReno-style).
      if (seqLt(ack, transfer.recoverSeq)) {
        this.owner.mark('tcp: partial ack retransmission');
        this.retransmitFirst(now);
      } else {
        this.bits &= ~RECOVERING;
      }
    }
  }

  /**
   * RTT: with timestamps every ACK of new data gives a sample from its echo (RFC 7323 §4.1);
   * without, one timed segment at a time, never a retransmitted one (Karn; rttStartedAt is
   * cleared on retransmission). An ACK beyond everything retransmitted ends the backoff.
   */
  private takeRttSample(now: number, ack: number, timestamp: TcpOptions['timestamp']): void {
    const transfer = this.data();
    if ((this.bits & TS_OK) !== 0 && timestamp !== undefined && timestamp.echo !== 0) {
      sampleRtt(this, Math.max(0, now - timestamp.echo * 1e6), this.profile);
      this.bits &= ~BACKED_OFF;
      transfer.rttStartedAt = -1;
    } else if (transfer.rttStartedAt >= 0 && seqGe(ack, transfer.rttSeq)) {
      sampleRtt(this, now - transfer.rttStartedAt, this.profile);
      this.bits &= ~BACKED_OFF;
      transfer.rttStartedAt = -1;
    }
    if ((this.bits & BACKED_OFF) !== 0 && seqGt(ack, transfer.rexmitEnd)) {
      collapseBackoff(this, this.profile);
      this.bits &= ~BACKED_OFF;
    }
  }

  private isDuplicateAck(segment: Segment, ack: number, window: number): boolean {
    return ack === this.sndUna && this.sndNxt !== this.sndUna && segment.data.length === 0 &&
      (segment.flags & (SYN | FIN)) === 0 && window === this.sndWnd;
  }

  /** Three duplicate ACKs: fast retransmit of the oldest segment (RFC 5681 §3.2, without cwnd). */
  private onDuplicateAck(now: number): void {
    const transfer = this.data();
    transfer.dupAcks++;
    if (transfer.dupAcks !== 3 || (this.bits & RECOVERING) !== 0) return;
    this.owner.mark('tcp: fast retransmit');
    this.bits |= RECOVERING;
    transfer.recoverSeq = this.sndNxt;
    transfer.rttStartedAt = -1;
    this.retransmitFirst(now);
  }

  /** SND.WND from SND.WL1/SND.WL2 (RFC 9293 §3.10.7.4 fifth). */
  private updateSendWindow(now: number, seq: number, ack: number, window: number): void {
    if (!(seqLt(this.sndWl1, seq) || (this.sndWl1 === seq && seqLe(this.sndWl2, ack)))) return;
    this.sndWnd = window;
    this.sndWl1 = seq;
    this.sndWl2 = ack;
    if (window > this.maxSndWnd) this.maxSndWnd = window;
    // The window opened while we were probing it: stop probing and send.
    if (window > 0 && (this.bits & PERSIST) !== 0) {
      this.bits &= ~PERSIST;
      this.retransmitAt = this.sndNxt === this.sndUna ? NEVER : now + this.rto;
    }
  }

  /** What acknowledging our FIN does in the closing states; false once CLOSED. */
  private afterAck(now: number): boolean {
    const finAcked = (this.bits & FIN_SENT) !== 0 && this.sndUna === this.sndNxt;
    if (!finAcked) return true;
    switch (this.state) {
      // Our FIN acknowledged in FIN-WAIT-1 moves us to FIN-WAIT-2.
      case 'FIN-WAIT-1':
        this.setState('FIN-WAIT-2', 'our FIN acknowledged');
        return true;
      // In CLOSING both FINs are done: TIME-WAIT.
      case 'CLOSING':
        this.enterTimeWait(now, 'our FIN acknowledged');
        return true;
      // In LAST-ACK the connection is over.
      case 'LAST-ACK':
        this.close('closed', 'our FIN acknowledged');
        return false;
      default:
        return true;
    }
  }

  /** Segment text and FIN (RFC 9293 §3.10.7.4 seventh and eighth), then what we can send. */
  private processText(now: number, segment: Segment, seq: number): void {
    let ackNeeded = false;
    if (segment.data.length > 0) {
      if (canReceive(this.state)) {
        this.acceptData(segment, seq);
        ackNeeded = true;
      } else {
        this.reject(segment, `data after the peer's FIN (${this.state})`);
      }
    }
    if ((segment.flags & FIN) !== 0 && this.notePeerFin(seqAdd(seq, segment.data.length))) {
      ackNeeded = true;
    }
    const finPending = (this.bits & (PEER_FIN_SEEN | FIN_RECEIVED)) === PEER_FIN_SEEN;
    if (finPending && this.rcvNxt === this.data().finSeq) {
      this.consumeFin(now);
      ackNeeded = true;
    }
    const sent = this.transmitData(now);
    if (ackNeeded && !sent) this.sendAck(now);
  }

  private acceptData(segment: Segment, seq: number): void {
    let data = segment.data;
    const room = seqDiff(this.rcvEdge, seq);
    if (data.length > room) data = data.subarray(0, Math.max(0, room));
    const transfer = this.data();
    const buffer = (transfer.receiveBuffer ??= new ReceiveBuffer(this.rcvNxt));
    buffer.rcvNxt = this.rcvNxt;
    const verdict = buffer.insert(seq, data);
    this.rcvNxt = buffer.rcvNxt;
    if (verdict === 'in-order') this.notices |= NOTICE_DATA;
    else if (verdict === 'out-of-order') this.owner.mark('tcp: out-of-order segment buffered');
    else this.owner.mark('tcp: duplicate segment discarded');
  }

  /** Remembers where the peer's FIN sits, if inside the window; true when it is new. */
  private notePeerFin(finSeq: number): boolean {
    if (!canReceive(this.state) || (this.bits & PEER_FIN_SEEN) !== 0) return false;
    if (seqGt(finSeq, this.rcvEdge)) return false;
    this.bits |= PEER_FIN_SEEN;
    this.data().finSeq = finSeq;
    return true;
  }

  /**
   * The peer's FIN reached in order: it occupies one sequence number
   * (docs/tcp.md#sequence-numbers-and-acceptability).
   */
  private consumeFin(now: number): void {
    this.rcvNxt = seqAdd(this.rcvNxt, 1);
    const receiveBuffer = this.transfer === null ? null : this.transfer.receiveBuffer;
    if (receiveBuffer !== null) receiveBuffer.rcvNxt = this.rcvNxt;
    this.bits |= FIN_RECEIVED;
    this.notices |= NOTICE_PEER_FIN;
    switch (this.state) {
      // ESTABLISHED + FIN: the peer half-closed.
      case 'ESTABLISHED':
        return this.setState('CLOSE-WAIT', 'FIN received');
      // FIN-WAIT-1 + FIN before our FIN is acknowledged: simultaneous close.
      case 'FIN-WAIT-1':
        return this.setState('CLOSING', 'FIN received (simultaneous close)');
      // FIN-WAIT-2 + FIN: both directions are done.
      case 'FIN-WAIT-2':
        return this.enterTimeWait(now, 'FIN received');
      default:
        assert(false, `FIN consumed in ${this.state}`);
    }
  }

  private enterTimeWait(now: number, cause: string): void {
    this.setState('TIME-WAIT', cause);
    this.retransmitAt = NEVER;
    this.handshake = null;
    this.data().timeWaitUntil = now + this.profile.timeWait;
    this.report('closed');
  }

  // ---------------------------------------------------------------------------------------------
  // Timers.

  private giveUp(): void {
    switch (this.state) {
      // A deferred offer left 'later' too long is withdrawn; nothing goes on the wire.
      case 'LISTEN':
        this.owner.mark('tcp: offer expired');
        return this.close('timed-out', 'offer lifetime expired');
      // The connect deadline: STATUS_IO_TIMEOUT / ETIMEDOUT
      // (docs/tcp.md#syn-timelines-side-by-side); nothing is sent.
      case 'SYN-SENT':
      case 'CLOSED':
        this.owner.mark('tcp: connect timed out');
        return this.close('timed-out', 'connect deadline reached');
      // A half-open connection nobody completes is dropped (docs/policies.md#tcp-profile-policies).
      case 'SYN-RECEIVED':
        this.owner.mark(this.isPassive ? 'tcp: half-open dropped' : 'tcp: connect timed out');
        return this.close(
          'timed-out', this.isPassive ? 'half-open timeout' : 'connect deadline reached',
        );
      default:
        assert(false, `give-up timer in ${this.state}`);
    }
  }

  private onRetransmitTimer(now: number): void {
    switch (this.state) {
      // The windows retry after a RST: a new SYN with a new ISN (Wireshark: port numbers reused).
      case 'CLOSED':
        this.owner.mark('tcp: syn retried after rst');
        return this.startAttempt(now, `SYN retry ${this.opening().rstRetries} after RST`);
      case 'SYN-SENT':
        this.owner.mark('tcp: syn retransmitted');
        this.bits |= HANDSHAKE_RETRANSMITTED;
        return this.sendSyn(now);
      case 'SYN-RECEIVED':
        this.owner.mark('tcp: syn-ack retransmitted');
        this.bits |= HANDSHAKE_RETRANSMITTED;
        return this.sendSynAck(now);
      case 'LISTEN':
      case 'TIME-WAIT':
        return assert(false, `retransmission timer in ${this.state}`);
      default:
        return this.onRetransmissionTimeout(now);
    }
  }

  /** RFC 6298 §5.4–5.6, or a zero-window probe; abort after the profile's limit. */
  private onRetransmissionTimeout(now: number): void {
    const transfer = this.data();
    if (transfer.retries >= this.profile.dataRetransmissions) {
      this.owner.mark('tcp: retransmission limit reached');
      return this.close('timed-out', `no ACK after ${transfer.retries} retransmissions`);
    }
    transfer.retries++;
    backOff(this, this.profile);
    this.bits |= BACKED_OFF;
    transfer.rttStartedAt = -1;
    if ((this.bits & PERSIST) !== 0) {
      // Zero-window probe: an old sequence number the receiver must answer with its window.
      this.owner.mark('tcp: zero window probe');
      transfer.rexmitEnd = this.sndUna;
      this.transmit(this.segment(now, ACK, seqAdd(this.sndUna, -1), EMPTY));
      this.retransmitAt = now + this.rto;
      return;
    }
    this.owner.mark('tcp: retransmission timeout');
    this.bits |= RECOVERING;
    transfer.recoverSeq = this.sndNxt;
    transfer.dupAcks = 0;
    this.retransmitFirst(now);
    this.retransmitAt = now + this.rto;
  }

  // ---------------------------------------------------------------------------------------------
  // Sending.

  /**
   * A fresh ISN (docs/tcp.md#initial-sequence-numbers) and a new attempt's clock: what every SYN or
   * SYN,ACK starts from.
   */
  private beginAttempt(now: number): Handshake {
    this.iss = this.owner.initialSequence(this) | 0;
    this.sndUna = this.iss;
    this.sndNxt = seqAdd(this.iss, 1);
    const handshake = this.opening();
    handshake.attemptStart = now;
    handshake.synSent = 0;
    return handshake;
  }

  private startAttempt(now: number, cause: string): void {
    this.beginAttempt(now);
    this.retransmitAt = NEVER;
    this.bits &= ~HANDSHAKE_RETRANSMITTED;
    this.setState('SYN-SENT', cause);
    this.sendSyn(now);
  }

  private sendSyn(now: number): void {
    const options = this.handshakeOptions(now, false);
    const syn = new TcpSegment(
      this.localAddress, this.remoteAddress, this.localPort, this.remotePort,
      this.iss, 0, SYN, this.synWindow(), options, EMPTY, this.iss, 0,
    );
    const handshake = this.opening();
    handshake.synSent++;
    handshake.lastSynAt = now;
    if (this.owner.transmit(this, syn) === 'no-route') {
      this.owner.mark('tcp: connect unreachable');
      return this.close('unreachable', 'no route to the remote address');
    }
    this.retransmitAt = this.nextHandshakeSend(this.profile.synSchedule);
  }

  /** A SYN,ACK on the profile's schedule (a duplicate SYN's extra one leaves the schedule be). */
  private sendSynAck(now: number): void {
    this.opening().synSent++;
    this.owner.transmit(this, this.synAckSegment(now));
    this.retransmitAt = this.nextHandshakeSend(this.profile.synAckSchedule);
  }

  private synAckSegment(now: number): TcpSegment {
    return new TcpSegment(
      this.localAddress, this.remoteAddress, this.localPort, this.remotePort,
      this.iss, this.rcvNxt, SYN | ACK, this.synWindow(), this.handshakeOptions(now, true), EMPTY,
      this.iss, this.irs,
    );
  }

  /** The next SYN or SYN,ACK on the schedule, or none (the give-up timer ends the wait). */
  private nextHandshakeSend(schedule: readonly number[]): number {
    const handshake = this.opening();
    const offset = schedule[handshake.synSent];
    return offset === undefined ? NEVER : handshake.attemptStart + offset;
  }

  /** Sends new data (and the FIN) as the windows allow; true when a segment left. */
  private transmitData(now: number): boolean {
    if (!canTransmit(this.state)) return false;
    let sent = false;
    for (;;) {
      if ((this.bits & FIN_SENT) !== 0) return sent;
      const buffer = this.transfer === null ? null : this.transfer.sendBuffer;
      const inFlight = seqDiff(this.sndNxt, this.sndUna);
      const unsent = (buffer === null ? 0 : buffer.length) - inFlight;
      if (unsent === 0) {
        if ((this.bits & FIN_QUEUED) === 0) return sent;
        this.sendNew(now, EMPTY, true);
        return true;
      }
      const usable = Math.min(this.sndWnd, this.profile.sendWindowLimit) - inFlight;
      if (usable <= 0) {
        if (this.sndWnd === 0 && inFlight === 0) this.armPersist(now);
        return sent;
      }
      const size = Math.min(unsent, this.sndMss, usable);
      // Sender-side silly-window avoidance (RFC 9293 §3.8.6.2.1): a short segment leaves only
      // when it ends the queued data, nothing is in flight, or it fills half the peer's window.
      const short = size < this.sndMss && size < unsent;
      if (short && inFlight > 0 && 2 * size < this.maxSndWnd) return sent;
      const fin = (this.bits & FIN_QUEUED) !== 0 && size === unsent;
      this.sendNew(now, (buffer as SendBuffer).slice(inFlight, size), fin);
      sent = true;
    }
  }

  private sendNew(now: number, data: Uint8Array, fin: boolean): void {
    const buffered = (this.data().sendBuffer as SendBuffer).length;
    const push = data.length > 0 && seqDiff(this.sndNxt, this.sndUna) + data.length === buffered;
    this.transmit(this.segment(now, ACK | (fin ? FIN : 0) | (push ? PSH : 0), this.sndNxt, data));
    this.sndNxt = seqAdd(this.sndNxt, data.length + (fin ? 1 : 0));
    if (fin) this.bits |= FIN_SENT;
    if (data.length > 0) this.notices |= NOTICE_TRANSMITTED;
    const transfer = this.data();
    if (transfer.rttStartedAt < 0 && (this.bits & RECOVERING) === 0) {
      transfer.rttStartedAt = now;
      transfer.rttSeq = this.sndNxt;
    }
    if (this.retransmitAt === NEVER || (this.bits & PERSIST) !== 0) {
      this.bits &= ~PERSIST;
      this.retransmitAt = now + this.rto;
    }
  }

  /** Retransmits the oldest unacknowledged segment (RFC 6298 §5.4). */
  private retransmitFirst(now: number): void {
    const inFlight = seqDiff(this.sndNxt, this.sndUna);
    const dataInFlight = inFlight - ((this.bits & FIN_SENT) !== 0 ? 1 : 0);
    const size = Math.min(dataInFlight, this.sndMss);
    const fin = (this.bits & FIN_SENT) !== 0 && size === dataInFlight;
    if (size === 0 && !fin) return;
    const data = size === 0 ? EMPTY : (this.data().sendBuffer as SendBuffer).slice(0, size);
    this.transmit(this.segment(now, ACK | (fin ? FIN : 0), this.sndUna, data));
    const end = seqAdd(this.sndUna, size + (fin ? 1 : 0));
    const transfer = this.data();
    if (seqGt(end, transfer.rexmitEnd)) transfer.rexmitEnd = end;
    transfer.rttStartedAt = -1;
  }

  private armPersist(now: number): void {
    if (this.retransmitAt !== NEVER) return;
    this.bits |= PERSIST;
    this.retransmitAt = now + this.rto;
  }

  private sendAck(now: number): void {
    this.transmit(this.segment(now, ACK, this.sndNxt, EMPTY));
  }

  private sendRstAck(now: number): void {
    this.transmit(this.segment(now, RST | ACK, this.sndNxt, EMPTY));
  }

  /** A segment of this connection with the current ACK and window. */
  private segment(now: number, flags: number, seq: number, data: Uint8Array): TcpSegment {
    const reset = (flags & RST) !== 0;
    const options = (this.bits & TS_OK) !== 0 && !reset ? this.timestampOption(now) : NO_OPTIONS;
    return new TcpSegment(
      this.localAddress, this.remoteAddress, this.localPort, this.remotePort,
      seq, this.rcvNxt, flags, reset ? 0 : this.windowField(), options, data, this.iss, this.irs,
    );
  }

  /**
   * A segment built from given numbers (RSTs answering a segment, docs/tcp.md#reset-generation).
   */
  private rawSegment(
    seq: number, ack: number, flags: number, seqBase: number, ackBase: number,
  ): TcpSegment {
    return new TcpSegment(
      this.localAddress, this.remoteAddress, this.localPort, this.remotePort,
      seq, ack, flags, 0, NO_OPTIONS, EMPTY, seqBase, ackBase,
    );
  }

  /** The opening handshake state, allocated on first need (handshake.ts). */
  private opening(): Handshake {
    return (this.handshake ??= new Handshake());
  }

  /** Bytes received in order and not yet read. */
  private unread(): number {
    const buffer = this.transfer === null ? null : this.transfer.receiveBuffer;
    return buffer === null ? 0 : buffer.unread;
  }

  /** The send buffer (with the transfer state), allocated on first need. */
  private openSendBuffer(): SendBuffer {
    return (this.data().sendBuffer ??= new SendBuffer());
  }

  /** The data transfer and closing state, allocated on first need (transfer.ts). */
  private data(): Transfer {
    return (this.transfer ??= new Transfer(this.iss));
  }

  private transmit(segment: TcpSegment): void {
    this.owner.transmit(this, segment);
  }

  // ---------------------------------------------------------------------------------------------
  // Windows and options.

  /** Bytes we can receive: the profile's buffer, or 64 KiB without window scaling (RFC 7323). */
  private receiveLimit(): number {
    const buffer = this.profile.receiveBuffer;
    return (this.bits & WS_OK) !== 0 ? buffer : Math.min(buffer, 65535);
  }

  /** The unscaled window of SYN and SYN,ACK (RFC 7323 §2.2). */
  private synWindow(): number {
    return Math.min(this.profile.synWindow, this.profile.receiveBuffer, 65535);
  }

  /**
   * The 16-bit window field. The right edge it announces never moves left (RFC 9293 §3.8.6), and
   * it moves right only by at least min(buffer / 2, MSS): receiver-side silly-window avoidance
   * (RFC 9293 §3.8.6.2.2).
   */
  private windowField(): number {
    const shift = this.rcvShift;
    const advertised = Math.max(0, seqDiff(this.rcvEdge, this.rcvNxt));
    const free = this.freeBuffer();
    if (free - advertised >= this.windowStep()) {
      const field = Math.min(65535, Math.floor(free / 2 ** shift));
      const edge = seqAdd(this.rcvNxt, field * 2 ** shift);
      if (seqGt(edge, this.rcvEdge)) this.rcvEdge = edge;
    }
    const window = Math.max(0, seqDiff(this.rcvEdge, this.rcvNxt));
    return Math.min(65535, Math.floor(window / 2 ** shift));
  }

  /**
   * After a read: an unsolicited window update is worth it when the advertised window had shrunk
   * to half the buffer or less and the read doubled it by at least the SWS step (Linux
   * __tcp_cleanup_rbuf; RFC 9293 §3.8.6.2.2).
   */
  private windowGrewEnough(): boolean {
    const advertised = Math.max(0, seqDiff(this.rcvEdge, this.rcvNxt));
    const free = this.freeBuffer();
    if (2 * advertised > this.receiveLimit() || free < 2 * advertised) return false;
    return free - advertised >= this.windowStep();
  }

  private freeBuffer(): number {
    const unread = this.unread();
    return Math.max(0, this.receiveLimit() - unread);
  }

  /** The smallest move of the right edge worth announcing. */
  private windowStep(): number {
    return Math.min(Math.floor(this.receiveLimit() / 2), this.ourMss());
  }

  private ourMss(): number {
    return (this.bits & IPV6) !== 0 ? this.profile.mss - 20 : this.profile.mss;
  }

  /** Options of our SYN, or of our SYN,ACK (only what the peer's SYN offered; RFC 7323, 2018). */
  private handshakeOptions(now: number, answering: boolean): TcpOptions {
    const profile = this.profile;
    const scaling = profile.windowScale !== null && (!answering || (this.bits & WS_OK) !== 0);
    const windowScale = scaling ? profile.windowScale : null;
    const sack = profile.sackPermitted && (!answering || (this.bits & SACK_OK) !== 0);
    const timestamps = profile.timestamps && (!answering || (this.bits & TS_OK) !== 0);
    if (!timestamps) return cachedHandshakeOptions(this.ourMss(), windowScale, sack);
    return {
      mss: this.ourMss(),
      ...(windowScale !== null && { windowScale }),
      ...(sack && { sackPermitted: true }),
      timestamp: { value: timestampNow(now), echo: answering ? this.tsRecent : 0 },
    };
  }

  private timestampOption(now: number): TcpOptions {
    return { timestamp: { value: timestampNow(now), echo: this.tsRecent } };
  }

  /**
   * What the peer's SYN or SYN,ACK offers, and what is therefore in force
   * (docs/tcp.md#ipv4-ipv6-and-tcp-encoding).
   */
  private takePeerSynOptions(segment: Segment): void {
    const options = segment.options;
    const profile = this.profile;
    let mss = Math.min(options.mss ?? ((this.bits & IPV6) !== 0 ? 1220 : 536), this.ourMss());
    if (options.windowScale !== undefined && profile.windowScale !== null) {
      const shifts = (Math.min(options.windowScale, 14) << SND_SHIFT_AT) |
        (profile.windowScale << RCV_SHIFT_AT);
      this.bits = (this.bits & ~SHIFTS) | shifts | WS_OK;
    } else {
      this.bits &= ~(WS_OK | SHIFTS);
    }
    if (options.sackPermitted === true && profile.sackPermitted) this.bits |= SACK_OK;
    if (options.timestamp !== undefined && profile.timestamps) {
      this.bits |= TS_OK;
      this.tsRecent = options.timestamp.value;
      mss -= 12;
    }
    this.sndMss = Math.max(mss, 64);
  }

  // ---------------------------------------------------------------------------------------------
  // State, outcome, bookkeeping.

  /** Every change of state goes through here: asserted against the table, traced with its cause. */
  private setState(next: TcpState, cause: string): void {
    const from = this.state;
    // The message is built only on failure: this runs on every transition.
    if (!isLegalTransition(from, next)) {
      assert(false, `tcp: illegal transition ${from} → ${next} (${cause})`);
    }
    this.state = next;
    this.owner.transitioned(this, from, next, cause);
  }

  /** To CLOSED (if not there already), timers stopped, outcome reported once. */
  private close(outcome: Outcome, cause: string): void {
    if (this.state !== 'CLOSED') this.setState('CLOSED', cause);
    this.retransmitAt = NEVER;
    this.handshake = null;
    if (this.transfer !== null) this.transfer.timeWaitUntil = NEVER;
    this.report(outcome);
  }

  private report(outcome: Outcome): void {
    if (this.outcome !== null) return;
    this.outcome = outcome;
    this.notices |= NOTICE_CLOSED;
    this.owner.reported(this, outcome);
  }

  private completeRequests(completedId: number): void {
    if (completedId === 0) return;
    this.data().ackedId = completedId;
    this.notices |= NOTICE_ACKED;
  }

  private sendError(): SendError | null {
    if (canSend(this.state) && (this.bits & FIN_QUEUED) === 0) return null;
    if ((this.bits & FIN_QUEUED) !== 0 && this.outcome === null) return 'shut-down';
    if (this.outcome !== null) return 'closed';
    return 'not-connected';
  }

  private reject(segment: Segment, reason: string): void {
    this.owner.rejected(this, segment, reason);
  }
}

/** States that may put new data or a FIN on the wire. */
function canTransmit(state: TcpState): boolean {
  return state === 'ESTABLISHED' || state === 'CLOSE-WAIT' ||
    state === 'FIN-WAIT-1' || state === 'LAST-ACK';
}

/** TSval: a millisecond clock (RFC 7323 §5.4 allows 1 ms to 1 s per tick). */
function timestampNow(now: number): number {
  return Math.floor(now / 1e6) % 4294967296;
}

const handshakeOptionCache = new Map<number, TcpOptions>();

/** Handshake options without timestamps are few: share one frozen object per combination. */
function cachedHandshakeOptions(
  mss: number, windowScale: number | null, sack: boolean,
): TcpOptions {
  const key = mss * 64 + (windowScale === null ? 31 : windowScale) * 2 + (sack ? 1 : 0);
  let options = handshakeOptionCache.get(key);
  if (options === undefined) {
    options = Object.freeze({
      mss,
      ...(windowScale !== null && { windowScale }),
      ...(sack && { sackPermitted: true }),
    });
    handshakeOptionCache.set(key, options);
  }
  return options;
}

/**
 * The answer when no connection exists (docs/tcp.md#reset-generation, group 1):
 * <SEQ=SEG.ACK><CTL=RST> to a segment with ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
 * Never called for a RST.
 */
export function resetAnswer(segment: Segment): TcpSegment {
  assert((segment.flags & RST) === 0, 'never answer a RST with a RST');
  if ((segment.flags & ACK) !== 0) {
    return new TcpSegment(
      segment.target, segment.source, segment.targetPort, segment.sourcePort,
      segment.ack, 0, RST, 0, NO_OPTIONS, EMPTY, 0, 0,
    );
  }
  return new TcpSegment(
    segment.target, segment.source, segment.targetPort, segment.sourcePort,
    0, seqAdd(segment.seq, segmentLength(segment)), RST | ACK, 0, NO_OPTIONS, EMPTY, 0, segment.seq,
  );
}
