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

/** Names of the flag bits in wire order of significance, for traces ('SYN,ACK'). */
export function flagNames(flags: number): string {
  let text = '';
  if ((flags & SYN) !== 0) text += 'SYN';
  if ((flags & FIN) !== 0) text += text === '' ? 'FIN' : ',FIN';
  if ((flags & RST) !== 0) text += text === '' ? 'RST' : ',RST';
  if ((flags & PSH) !== 0) text += text === '' ? 'PSH' : ',PSH';
  if ((flags & ACK) !== 0) text += text === '' ? 'ACK' : ',ACK';
  if ((flags & URG) !== 0) text += text === '' ? 'URG' : ',URG';
  return text === '' ? 'none' : text;
}

/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4). Inside the stack sequence numbers are
 * kept as signed 32-bit integers (`x | 0`) so that they stay small integers in V8 (no boxed
 * doubles per connection); on a Segment they are unsigned (`x >>> 0`). Comparisons are valid
 * while the two values are less than 2^31 apart, which the window sizes guarantee.
 */
export function seqAdd(a: number, n: number): number {
  return (a + n) | 0;
}
/** a − b as a signed 32-bit distance. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}
export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}
export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}
export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}
/** The unsigned 32-bit form a Segment carries. */
export function toWire(seq: number): number {
  return seq >>> 0;
}
/** The signed 32-bit form the stack computes with. */
export function fromWire(seq: number): number {
  return seq | 0;
}

/** SEG.LEN: data bytes plus one for SYN and one for FIN (RFC 9293 §3.4). */
export function segmentLength(segment: Segment): number {
  const flags = segment.flags;
  return segment.data.length + ((flags & SYN) !== 0 ? 1 : 0) + ((flags & FIN) !== 0 ? 1 : 0);
}
