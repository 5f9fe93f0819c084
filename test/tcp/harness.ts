/**
 * Test harness for the pure connection (connection.ts): a ConnectionOwner that records what the
 * connection sends, with explicit times, and a template for segments the peer sends, so a test
 * reads as a conversation (docs/design.md#how-tests-are-written): at 0 ms the peer sends SYN,
 * expect SYN,ACK back.
 */
import { Trace } from '../../src/sim/index.ts';
import {
  Connection, type Admission, type ConnectionOwner, type TransmitResult,
} from '../../src/tcp/connection.ts';
import { NO_OPTIONS, TcpSegment } from '../../src/tcp/payload.ts';
import type { AbortResult, SendResult } from '../../src/tcp/port.ts';
import { resolveProfile, type TcpProfile, type TcpProfileOptions } from '../../src/tcp/profiles.ts';
import { ACK, SYN, flagNames, type Segment, type TcpOptions } from '../../src/tcp/segment.ts';
import type { Outcome, TcpState } from '../../src/tcp/state.ts';

export const LOCAL = '10.0.0.1';
export const REMOTE = '10.0.0.2';
export const LOCAL_PORT = 49152;
export const REMOTE_PORT = 80;
/** Our ISN in every harness (the owner hands out fixed ISNs). */
export const ISS = 1000;
/** The peer's ISN. */
export const IRS = 5000;

/** A Windows 10 SYN's options (docs/tcp.md#ipv4-ipv6-and-tcp-encoding). */
export const WINDOWS_SYN: TcpOptions = { mss: 1460, windowScale: 8, sackPermitted: true };

export const MS = 1_000_000;
export const S = 1_000_000_000;

export interface Sent {
  readonly at: number;
  readonly segment: TcpSegment;
}

export class Harness implements ConnectionOwner {
  now = 0;
  readonly sent: Sent[] = [];
  readonly transitions: string[] = [];
  readonly outcomes: Outcome[] = [];
  readonly rejections: string[] = [];
  readonly trace = new Trace();
  admission: Admission = 'admit';
  transmitResult: TransmitResult = 'sent';
  isn = ISS;
  connection: Connection;

  constructor(options: TcpProfileOptions = {}, make?: (owner: Harness, profile: TcpProfile) => Connection) {
    const profile = resolveProfile(options);
    this.connection = make !== undefined
      ? make(this, profile)
      : Connection.active(this, profile, 1, LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT);
  }

  /** A passive child forked by the peer's SYN (not answered yet: call answerSyn or holdOffer). */
  static passive(options: TcpProfileOptions = {}, synOptions: TcpOptions = WINDOWS_SYN): Harness {
    return new Harness(options, (owner, profile) =>
      Connection.passive(owner, profile, 1, null, peer(SYN, 0, 0, { window: 64240, options: synOptions }), false));
  }

  transmit(_connection: Connection, segment: TcpSegment): TransmitResult {
    this.sent.push({ at: this.now, segment });
    return this.transmitResult;
  }
  admit(): Admission {
    return this.admission;
  }
  initialSequence(): number {
    return this.isn;
  }
  transitioned(_connection: Connection, from: TcpState, to: TcpState, cause: string): void {
    this.transitions.push(`${from} → ${to} (${cause})`);
  }
  reported(_connection: Connection, outcome: Outcome): void {
    this.outcomes.push(outcome);
  }
  rejected(_connection: Connection, _segment: Segment, reason: string): void {
    this.rejections.push(reason);
  }
  mark(name: string): void {
    this.trace.mark(name);
  }
  settle(): void {}

  get state(): TcpState {
    return this.connection.state;
  }

  /** At `at`, the peer's segment arrives. */
  deliver(at: number, segment: Segment): void {
    this.now = at;
    this.connection.handleSegment(at, segment);
  }

  /** The user's send at `at`. */
  send(at: number, data: Uint8Array): SendResult {
    this.now = at;
    return this.connection.userSend(at, data);
  }

  shutdown(at: number): SendResult {
    this.now = at;
    return this.connection.userShutdown(at);
  }

  abort(at: number): AbortResult {
    this.now = at;
    return this.connection.userAbort(at);
  }

  /** Advances to `at` and runs whatever timer is due. */
  tick(at: number): void {
    this.now = at;
    this.connection.handleTimers(at);
  }

  /** Runs timers in order until `until` (each deadline at its time). */
  runUntil(until: number): void {
    for (;;) {
      const next = this.connection.nextDeadline();
      if (next > until) break;
      this.tick(next);
    }
    this.now = until;
  }

  /** What was sent since the last call, as 'FLAGS seq=… ack=… len=…' relative to the ISNs. */
  take(): string[] {
    const lines = this.sent.map((sent) => describeSent(sent));
    this.sent.length = 0;
    return lines;
  }

  /** Sent segments since the last take, raw. */
  takeRaw(): Sent[] {
    const out = this.sent.slice();
    this.sent.length = 0;
    return out;
  }

  marks(): string[] {
    return [...this.trace.marks().keys()];
  }
}

/** '1000ms SYN,ACK seq=0 ack=1 len=0' — sequence numbers relative to ISS and IRS. */
export function describeSent(sent: Sent): string {
  const segment = sent.segment;
  const seq = (segment.seq - ISS) >>> 0;
  const ack = (segment.ack - IRS) >>> 0;
  let text = `${sent.at / MS}ms ${flagNames(segment.flags)} seq=${seq}`;
  if ((segment.flags & ACK) !== 0) text += ` ack=${ack}`;
  if (segment.data.length > 0) text += ` len=${segment.data.length}`;
  return text;
}

/** A segment from the peer: sequence numbers relative to IRS (seq) and ISS (ack). */
export function peer(
  flags: number, seq: number, ack = 0,
  extra: { window?: number; data?: Uint8Array; options?: TcpOptions } = {},
): TcpSegment {
  return new TcpSegment(
    REMOTE, LOCAL, REMOTE_PORT, LOCAL_PORT, (IRS + seq) >>> 0, (ISS + ack) >>> 0, flags,
    extra.window ?? 65535, extra.options ?? NO_OPTIONS, extra.data ?? new Uint8Array(0), IRS, ISS,
  );
}

/** Bytes 0..n-1 of a recognisable pattern. */
export function bytes(n: number, offset = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i + offset) % 251;
  return out;
}
