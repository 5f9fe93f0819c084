/**
 * The part of a connection's state that only the opening handshake uses (connection.ts): when
 * the current attempt began, how many SYNs or SYN,ACKs it has sent, the windows retries after a
 * RST (docs/tcp.md#windows-timings) and the connect, half-open or offer deadline. A connection
 * holds it from its open (or its fork from a listener) until it is ESTABLISHED or closed, then
 * drops it: the object dies young, and established connections carry none of these fields
 * (docs/design.md#performance-metrics).
 */

/**
 * A timer that is not running. Times are never negative; -1 rather than Infinity keeps timer
 * fields small integers, which V8 stores in the object itself instead of in a boxed double.
 */
export const NEVER = -1;

export class Handshake {
  /** When the current attempt began: the SYN (or SYN,ACK) schedule counts from here. */
  attemptStart = 0;
  /** SYNs (or SYN,ACKs) sent in the current attempt. */
  synSent = 0;
  /** SYN retries after a RST so far (windows). */
  rstRetries = 0;
  /** When the latest SYN left: a windows retry after a RST is timed from it. */
  lastSynAt = 0;
  /** The connect, half-open or offer deadline; NEVER when not running. */
  giveUpAt = NEVER;
}
