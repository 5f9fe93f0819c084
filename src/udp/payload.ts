/**
 * What UDP puts on the wire (src/topology carries it without reading it): a datagram with its
 * ports and data (RFC 768), and the ICMP port unreachable a host may answer one with
 * (RFC 1122 §4.1.3.1; ICMPv4 type 3 code 3, RFC 792; ICMPv6 type 1 code 4, RFC 4443 §3.1).
 * `protocol` routes each to the host's receiver for it (topology's `onReceiveProtocol`); the
 * wire encoding with checksums is src/report's (datagram.ts, icmp.ts).
 */
import type { Payload } from '../topology/index.ts';

/** IANA protocol numbers (RFC 790 and the IANA registry): UDP, ICMP, ICMPv6. */
export const PROTOCOL_UDP = 17;
export const PROTOCOL_ICMP = 1;
export const PROTOCOL_ICMPV6 = 58;

/** RFC 768: the UDP header is 8 bytes. */
export const UDP_HEADER = 8;
/** RFC 791 §3.1 (no options) and RFC 8200 §3: the IP header sizes. */
export const IPV4_HEADER = 20;
export const IPV6_HEADER = 40;
/**
 * The largest datagram data: a 16-bit IPv4 total length less both headers (65 507 bytes), and
 * IPv6's 16-bit payload length less the UDP header (65 527; no jumbograms, RFC 2675).
 */
export const MAX_DATA_IPV4 = 0xffff - IPV4_HEADER - UDP_HEADER;
export const MAX_DATA_IPV6 = 0xffff - UDP_HEADER;

/** Whether `address` is an IPv6 one (the topology's canonical strings). */
export function isIpv6(address: string): boolean {
  return address.includes(':');
}

/** A UDP datagram (RFC 768). */
export class UdpDatagram implements Payload {
  readonly protocol = PROTOCOL_UDP;
  readonly source: string;
  readonly sourcePort: number;
  readonly target: string;
  readonly targetPort: number;
  readonly data: Uint8Array;

  constructor(
    source: string,
    sourcePort: number,
    target: string,
    targetPort: number,
    data: Uint8Array,
  ) {
    this.source = source;
    this.sourcePort = sourcePort;
    this.target = target;
    this.targetPort = targetPort;
    this.data = data;
  }

  /** Bytes on the wire: the IP header, the UDP header, the data. */
  get bytes(): number {
    return (isIpv6(this.target) ? IPV6_HEADER : IPV4_HEADER) + UDP_HEADER + this.data.length;
  }

  get digest(): number {
    return ((this.sourcePort << 16) ^ this.targetPort ^ (this.data.length << 3)) >>> 0;
  }

  describe(): string {
    return `UDP ${this.sourcePort} > ${this.targetPort} len=${this.data.length}`;
  }
}

/** ICMP destination (port) unreachable, quoting the datagram that found no port. */
export class IcmpPortUnreachable implements Payload {
  readonly protocol: number;
  readonly source: string;
  readonly target: string;
  /** The datagram it answers (the wire form quotes its headers and data). */
  readonly original: UdpDatagram;

  constructor(source: string, target: string, original: UdpDatagram) {
    this.protocol = isIpv6(target) ? PROTOCOL_ICMPV6 : PROTOCOL_ICMP;
    this.source = source;
    this.target = target;
    this.original = original;
  }

  /**
   * Bytes on the wire: IP header, ICMP header (8), and the quote: RFC 792's original IP header
   * and 64 bits of its data; RFC 4443 §2.4 (c) "as much of invoking packet as possible" within
   * the IPv6 minimum MTU, 1280.
   */
  get bytes(): number {
    if (this.protocol === PROTOCOL_ICMP) return IPV4_HEADER + 8 + IPV4_HEADER + UDP_HEADER;
    return Math.min(1280, IPV6_HEADER + 8 + this.original.bytes);
  }

  get digest(): number {
    return (0x1c3 ^ this.original.digest) >>> 0;
  }

  describe(): string {
    const o = this.original;
    return `ICMP port unreachable (UDP ${o.sourcePort} > ${o.targetPort})`;
  }
}
