/**
 * A TCP segment as the simulated stack sends it: the header fields of RFC 9293 §3.1 with the
 * options the profiles send (MSS, window scale, SACK-permitted, timestamps), plus the addresses
 * of the IP header around it. Sequence and acknowledgement numbers are unsigned 32-bit values;
 * `window` is the 16-bit field as it stands on the wire (already scaled down). The payload is a
 * view of the sender's bytes and is never written to after sending.
 */

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;

export interface TcpOptions {
  readonly mss?: number;
  readonly windowScale?: number;
  readonly sackPermitted?: boolean;
  readonly timestamp?: { readonly value: number; readonly echo: number };
}

export interface Segment {
  readonly source: string;
  readonly target: string;
  readonly sourcePort: number;
  readonly targetPort: number;
  readonly seq: number;
  readonly ack: number;
  /** Bit mask of FIN, SYN, RST, PSH, ACK, URG. */
  readonly flags: number;
  readonly window: number;
  readonly options: TcpOptions;
  readonly data: Uint8Array;
}
