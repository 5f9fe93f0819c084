/**
 * The wire form of an ICMP port unreachable (src/udp's IcmpPortUnreachable): over IPv4, ICMP type
 * 3 (destination unreachable) code 3 (port unreachable) quoting the datagram's IP header and the
 * first 64 bits of its data (RFC 792); over IPv6, ICMPv6 type 1 code 4 (port unreachable) quoting
 * as much of the datagram as fits in the minimum MTU of 1280 bytes (RFC 4443 §3.1, §2.4 (c)), its
 * checksum over the RFC 8200 §8.1 pseudo-header. The quoted datagram is encoded as
 * datagram.ts encodes it, with its own IP defaults.
 */
import { assert } from '../sim/index.ts';
import { addressBytes } from '../topology/index.ts';
import { internetChecksum, ipv4HeaderChecksum, type IpFields } from '../tcp/wire.ts';
import type { IcmpPortUnreachable } from '../udp/index.ts';
import { encodeDatagram } from './datagram.ts';

const IPV4_HEADER_BYTES = 20;
const IPV6_HEADER_BYTES = 40;
const ICMP_HEADER_BYTES = 8;
const IPV6_MIN_MTU = 1280;
const DEFAULT_HOP_LIMIT = 64;

/** The IP packet carrying `payload` from `source` to `target` (see the header). */
export function encodeIcmp(
  source: string,
  target: string,
  payload: IcmpPortUnreachable,
  ip: IpFields = {},
): Uint8Array {
  const from = addressBytes(source);
  const to = addressBytes(target);
  assert(from !== undefined && to !== undefined, `not IP addresses: ${source} → ${target}`);
  const o = payload.original;
  const quoted = encodeDatagram(o.source, o.target, o);
  const hopLimit = ip.hopLimit ?? DEFAULT_HOP_LIMIT;
  if (from.length === 4) {
    const quote = quoted.subarray(0, IPV4_HEADER_BYTES + 8);
    const icmpLength = ICMP_HEADER_BYTES + quote.length;
    const packet = new Uint8Array(IPV4_HEADER_BYTES + icmpLength);
    const view = new DataView(packet.buffer);
    packet[0] = 0x45;
    view.setUint16(2, packet.length);
    view.setUint16(4, (ip.identification ?? 0) & 0xffff);
    packet[8] = hopLimit;
    packet[9] = 1;
    packet.set(from, 12);
    packet.set(to, 16);
    view.setUint16(10, ipv4HeaderChecksum(packet, 0));
    packet[20] = 3;
    packet[21] = 3;
    packet.set(quote, IPV4_HEADER_BYTES + ICMP_HEADER_BYTES);
    view.setUint16(22, internetChecksum(packet, IPV4_HEADER_BYTES));
    return packet;
  }
  const room = IPV6_MIN_MTU - IPV6_HEADER_BYTES - ICMP_HEADER_BYTES;
  const quote = quoted.subarray(0, Math.min(quoted.length, room));
  const icmpLength = ICMP_HEADER_BYTES + quote.length;
  const packet = new Uint8Array(IPV6_HEADER_BYTES + icmpLength);
  const view = new DataView(packet.buffer);
  packet[0] = 0x60;
  view.setUint16(4, icmpLength);
  packet[6] = 58;
  packet[7] = hopLimit;
  packet.set(from, 8);
  packet.set(to, 24);
  packet[40] = 1;
  packet[41] = 4;
  packet.set(quote, IPV6_HEADER_BYTES + ICMP_HEADER_BYTES);
  const pseudo = new Uint8Array(40 + icmpLength);
  pseudo.set(from, 0);
  pseudo.set(to, 16);
  new DataView(pseudo.buffer).setUint32(32, icmpLength);
  pseudo[39] = 58;
  pseudo.set(packet.subarray(IPV6_HEADER_BYTES), 40);
  view.setUint16(42, internetChecksum(pseudo));
  return packet;
}
