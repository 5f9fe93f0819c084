/**
 * The TCP segment as it travels inside a topology packet
 * (docs/design.md#layering-and-dependency-direction): an object with the fields of `Segment`
 * (segment.ts), which the pcap writer encodes, plus `describe()` for traces and a cheap integer
 * `digest` folded into the trace hash. Sequence numbers in `describe()` are relative to the
 * sender's and receiver's initial sequence numbers where the sender knows them (`seqBase`,
 * `ackBase`), as Wireshark shows them (docs/tcp.md#ipv4-ipv6-and-tcp-encoding); a RST sent without
 * a connection uses absolute numbers except for the ACK of a SYN, which is relative to that SYN.
 *
 * Size on the wire: IP header (20 bytes IPv4, 40 IPv6, no options) + TCP header (20 bytes + the
 * options padded to a multiple of 4, docs/tcp.md#ipv4-ipv6-and-tcp-encoding) + data.
 */
import type { Payload } from '../topology/packet.ts';
import { ACK, flagNames, type Segment, type TcpOptions } from './segment.ts';

/** The options object of segments that carry none (shared, frozen). */
export const NO_OPTIONS: TcpOptions = Object.freeze({});

export class TcpSegment implements Segment, Payload {
  readonly source: string;
  readonly target: string;
  readonly sourcePort: number;
  readonly targetPort: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly window: number;
  readonly options: TcpOptions;
  readonly data: Uint8Array;
  /** The sender's ISN (seq − seqBase is the relative sequence number); 0 when unknown. */
  readonly seqBase: number;
  /** The receiver's ISN as the sender knows it; 0 when unknown. */
  readonly ackBase: number;
  readonly digest: number;

  constructor(
    source: string, target: string, sourcePort: number, targetPort: number,
    seq: number, ack: number, flags: number, window: number,
    options: TcpOptions, data: Uint8Array, seqBase: number, ackBase: number,
  ) {
    this.source = source;
    this.target = target;
    this.sourcePort = sourcePort;
    this.targetPort = targetPort;
    this.seq = seq >>> 0;
    this.ack = ack >>> 0;
    this.flags = flags;
    this.window = window;
    this.options = options;
    this.data = data;
    this.seqBase = seqBase >>> 0;
    this.ackBase = ackBase >>> 0;
    const fields = (flags << 24) ^ (data.length << 8) ^ window ^ (sourcePort << 16);
    this.digest = (seq ^ Math.imul(ack, 31) ^ fields) | 0;
  }

  /** Size on the wire: IP header + TCP header with options + data. */
  get bytes(): number {
    return ipHeaderBytes(this.target) + 20 + optionBytes(this.options) + this.data.length;
  }

  /** 'SYN,ACK seq=0 ack=1 win=64240 <mss 1460,wscale 8,sackOK>' (relative seq/ack). */
  describe(): string {
    const seq = (this.seq - this.seqBase) >>> 0;
    let text = `${flagNames(this.flags)} ${this.sourcePort}→${this.targetPort} seq=${seq}`;
    if ((this.flags & ACK) !== 0) text += ` ack=${(this.ack - this.ackBase) >>> 0}`;
    text += ` win=${this.window}`;
    if (this.data.length > 0) text += ` len=${this.data.length}`;
    const options = describeOptions(this.options);
    return options === '' ? text : `${text} <${options}>`;
  }
}

/** 20 for an IPv4 header, 40 for IPv6 (the target's family decides). */
export function ipHeaderBytes(address: string): number {
  return address.includes(':') ? 40 : 20;
}

/** Bytes the options take in the TCP header, padded with NOP/EOL to a multiple of 4. */
export function optionBytes(options: TcpOptions): number {
  if (options === NO_OPTIONS) return 0;
  let bytes = 0;
  if (options.mss !== undefined) bytes += 4;
  if (options.windowScale !== undefined) bytes += 3;
  if (options.sackPermitted === true) bytes += 2;
  if (options.timestamp !== undefined) bytes += 10;
  return (bytes + 3) & ~3;
}

export function describeOptions(options: TcpOptions): string {
  if (options === NO_OPTIONS) return '';
  const parts: string[] = [];
  if (options.mss !== undefined) parts.push(`mss ${options.mss}`);
  if (options.sackPermitted === true) parts.push('sackOK');
  if (options.timestamp !== undefined) {
    parts.push(`TS val ${options.timestamp.value} ecr ${options.timestamp.echo}`);
  }
  if (options.windowScale !== undefined) parts.push(`wscale ${options.windowScale}`);
  return parts.join(',');
}
