/**
 * TCP connection states with their RFC 9293 spellings (docs/tcp.md#states), the table of legal
 * moves between them (docs/tcp.md#transitions), and the outcomes a connection reports upward.
 *
 * The table is one half of a pair of assertions (docs/design.md#a-readable-tcp-state-machine): the
 * per-state switch in connection.ts decides where a segment moves a connection, and `setState`
 * asserts that the move is in this table. A passive child connection is forked from its listener in
 * LISTEN (as RFC 9293's "the TCB is forked" reading of LISTEN + SYN); where the RFC returns a
 * passive SYN-RECEIVED TCB to LISTEN on a RST, our child closes instead and the listener, a
 * separate object, simply stays in LISTEN. Not modelled: the RFC's LISTEN + SEND → SYN-SENT (no
 * socket API does it) and CLOSE in SYN-RECEIVED before the handshake completes.
 */

export type TcpState =
  | 'CLOSED'
  | 'LISTEN'
  | 'SYN-SENT'
  | 'SYN-RECEIVED'
  | 'ESTABLISHED'
  | 'FIN-WAIT-1'
  | 'FIN-WAIT-2'
  | 'CLOSE-WAIT'
  | 'CLOSING'
  | 'LAST-ACK'
  | 'TIME-WAIT';

export const TCP_STATES: readonly TcpState[] = [
  'CLOSED', 'LISTEN', 'SYN-SENT', 'SYN-RECEIVED', 'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2',
  'CLOSE-WAIT', 'CLOSING', 'LAST-ACK', 'TIME-WAIT',
];

/**
 * Legal moves (docs/tcp.md#transitions). Every state may fall to CLOSED (RST, ABORT, timeout,
 * crash); CLOSED → SYN-SENT is the active open, and also the windows retry of a SYN after a RST
 * (docs/tcp.md#windows-timings), which the model traces as a new attempt from CLOSED.
 */
export const TRANSITIONS: { readonly [from in TcpState]: readonly TcpState[] } = {
  'CLOSED': ['SYN-SENT'],
  'LISTEN': ['SYN-RECEIVED', 'CLOSED'],
  'SYN-SENT': ['SYN-RECEIVED', 'ESTABLISHED', 'CLOSED'],
  'SYN-RECEIVED': ['ESTABLISHED', 'CLOSED'],
  'ESTABLISHED': ['FIN-WAIT-1', 'CLOSE-WAIT', 'CLOSED'],
  'FIN-WAIT-1': ['FIN-WAIT-2', 'CLOSING', 'TIME-WAIT', 'CLOSED'],
  'FIN-WAIT-2': ['TIME-WAIT', 'CLOSED'],
  'CLOSE-WAIT': ['LAST-ACK', 'CLOSED'],
  'CLOSING': ['TIME-WAIT', 'CLOSED'],
  'LAST-ACK': ['CLOSED'],
  'TIME-WAIT': ['CLOSED'],
};

export function isLegalTransition(from: TcpState, to: TcpState): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * Synchronized states (RFC 9293 §3.5.2): both sides' sequence numbers are known. A bad segment
 * here draws an empty ACK, not a RST (docs/tcp.md#reset-generation, group 3).
 */
export function isSynchronized(state: TcpState): boolean {
  switch (state) {
    case 'CLOSED':
    case 'LISTEN':
    case 'SYN-SENT':
    case 'SYN-RECEIVED':
      return false;
    default:
      return true;
  }
}

/** States in which the user may still send data (before its own FIN). */
export function canSend(state: TcpState): boolean {
  return state === 'ESTABLISHED' || state === 'CLOSE-WAIT';
}

/** States in which arriving data is accepted and delivered (RFC 9293 §3.10.7.4, seventh). */
export function canReceive(state: TcpState): boolean {
  return state === 'ESTABLISHED' || state === 'FIN-WAIT-1' || state === 'FIN-WAIT-2';
}

/**
 * How a connection ended, as the port reports it upward
 * (docs/tcp.md#wire-events-and-the-status-a-driver-sees maps each to NTSTATUS):
 * - `closed`: both directions finished gracefully (our FIN acknowledged and the peer's FIN seen);
 * - `refused`: a RST answered our SYN (after the profile's retries);
 * - `timed-out`: the connect deadline or the data retransmission limit ran out;
 * - `reset`: a valid RST arrived on a connection that had been established;
 * - `aborted`: the user aborted it, or the stack dropped it locally (listener closed);
 * - `unreachable`: no route to the remote address when the SYN was sent.
 */
export type Outcome = 'closed' | 'refused' | 'timed-out' | 'reset' | 'aborted' | 'unreachable';

/** The failures among the outcomes. */
export type Failure = Exclude<Outcome, 'closed'>;
