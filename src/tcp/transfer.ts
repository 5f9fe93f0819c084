/**
 * The part of a connection's state that only data transfer and closing use (connection.ts):
 * retransmission and RTT-timing bookkeeping (RFC 6298, Karn), fast-retransmit counting, send
 * request completion, the position of the peer's FIN and the end of TIME-WAIT. A connection
 * allocates it on first need, always in a synchronized state (its ISS is fixed by then), so the
 * many connections that only shake hands — or stay idle once established — carry none of these
 * fields (docs/design.md#performance-metrics).
 */
import { NEVER } from './handshake.ts';
import type { ReceiveBuffer } from './receive-buffer.ts';
import type { SendBuffer } from './send-buffer.ts';

export class Transfer {
  /** Data the user sent (and its FIN) until acknowledged; allocated on the first send. */
  sendBuffer: SendBuffer | null = null;
  /** Data received until read; allocated on the first data. */
  receiveBuffer: ReceiveBuffer | null = null;
  /** Retransmissions (or zero-window probes) since the last ACK of new data. */
  retries = 0;
  /** The timed segment ends here (no timestamps): an ACK at or beyond it gives an RTT sample. */
  rttSeq = 0;
  /** When the timed segment left, or -1 when none is timed. */
  rttStartedAt = -1;
  /** SND.NXT when recovery began: recovery ends once it is acknowledged. */
  recoverSeq = 0;
  /** End of the highest range ever retransmitted (Karn: ACKs beyond it end the backoff). */
  rexmitEnd: number;
  /** Duplicate ACKs in a row (three trigger a fast retransmit). */
  dupAcks = 0;
  /** Highest send/shutdown id acknowledged, and the highest the owner has told upward. */
  ackedId = 0;
  notifiedId = 0;
  /** Sequence number of the peer's FIN, once it is known (PEER_FIN_SEEN). */
  finSeq = 0;
  /** When TIME-WAIT ends; NEVER when not running. */
  timeWaitUntil = NEVER;

  /** `iss`: nothing has been retransmitted yet, so the highest retransmitted end is the ISS. */
  constructor(iss: number) {
    this.rexmitEnd = iss;
  }
}
