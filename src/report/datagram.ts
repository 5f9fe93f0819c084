/**
 * The wire form of a packet whose payload is not a TCP segment (the showcase's pings, a user's
 * own payload type): a UDP datagram (RFC 768) over IPv4 (RFC 791 §3.1) or IPv6 (RFC 8200 §3)
 * whose data is the payload's own description in UTF-8, so that a capture of such a run is not
 * empty and Wireshark shows each packet's text in its bytes. The ports are the payload's
 * `sourcePort` and `targetPort` when it has numeric ones, else 0 (no port: nothing in the model
 * names one). The checksum is computed (RFC 768 with the RFC 8200 §8.1 pseudo-header for IPv6),
 * so tshark verifies it good. The IP header is laid out as src/tcp/wire.ts lays a segment's.
 * A real UDP datagram (src/udp's UdpDatagram, whose `protocol` is 17 and `data` its bytes) is
 * written with its own data instead of a description.
 */
import { assert } from '../sim/index.ts';
import type { Payload } from '../topology/index.ts';
import { addressBytes } from '../topology/index.ts';
import { internetChecksum, ipv4HeaderChecksum } from '../tcp/wire.ts';
import type { IpFields } from '../tcp/wire.ts';

export const UDP_HEADER_BYTES = 8;
const PROTOCOL_UDP = 17;
const IPV4_HEADER_BYTES = 20;
const IPV6_HEADER_BYTES = 40;
const IPV4_DONT_FRAGMENT = 0x4000;
const DEFAULT_HOP_LIMIT = 64;
/** Longest description kept whole: the datagram must fit one IPv4 packet. */
const MAX_DATA_BYTES = 0xffff - IPV4_HEADER_BYTES - UDP_HEADER_BYTES;

const utf8 = new TextEncoder();

/** The ports a payload names, when it has numeric `sourcePort` and `targetPort`; else 0 and 0. */
export function payloadPorts(payload: Payload): { source: number; target: number } {
  const candidate = payload as { sourcePort?: unknown; targetPort?: unknown };
  const port = (value: unknown): number =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff
      ? value
      : 0;
  return { source: port(candidate.sourcePort), target: port(candidate.targetPort) };
}

/** The IP packet carrying `payload` from `source` to `target` as a UDP datagram (see header). */
export function encodeDatagram(
  source: string,
  target: string,
  payload: Payload,
  ip: IpFields = {},
): Uint8Array {
  const from = addressBytes(source);
  const to = addressBytes(target);
  assert(from !== undefined && to !== undefined, `not IP addresses: ${source} → ${target}`);
  assert(from.length === to.length, `datagram mixes address families: ${source} → ${target}`);
  const own = (payload as { protocol?: unknown; data?: unknown }).data;
  const real = payload.protocol === PROTOCOL_UDP && own instanceof Uint8Array;
  const text = real ? own : utf8.encode(payload.describe());
  const data = text.length > MAX_DATA_BYTES ? text.subarray(0, MAX_DATA_BYTES) : text;
  const udpLength = UDP_HEADER_BYTES + data.length;
  const isIpv4 = from.length === 4;
  const ipLength = isIpv4 ? IPV4_HEADER_BYTES : IPV6_HEADER_BYTES;
  const packet = new Uint8Array(ipLength + udpLength);
  const view = new DataView(packet.buffer);
  const hopLimit = ip.hopLimit ?? DEFAULT_HOP_LIMIT;
  if (isIpv4) {
    packet[0] = 0x45;
    view.setUint16(2, ipLength + udpLength);
    view.setUint16(4, (ip.identification ?? 0) & 0xffff);
    view.setUint16(6, IPV4_DONT_FRAGMENT);
    packet[8] = hopLimit;
    packet[9] = PROTOCOL_UDP;
    packet.set(from, 12);
    packet.set(to, 16);
    view.setUint16(10, ipv4HeaderChecksum(packet, 0));
  } else {
    packet[0] = 0x60;
    view.setUint16(4, udpLength);
    packet[6] = PROTOCOL_UDP;
    packet[7] = hopLimit;
    packet.set(from, 8);
    packet.set(to, 24);
  }
  const ports = payloadPorts(payload);
  view.setUint16(ipLength, ports.source);
  view.setUint16(ipLength + 2, ports.target);
  view.setUint16(ipLength + 4, udpLength);
  packet.set(data, ipLength + UDP_HEADER_BYTES);
  view.setUint16(ipLength + 6, udpChecksum(packet, ipLength, from, to));
  return packet;
}

/** RFC 768: over the pseudo-header and the datagram; a computed 0 is sent as 0xffff. */
function udpChecksum(
  packet: Uint8Array,
  start: number,
  source: Uint8Array,
  target: Uint8Array,
): number {
  const length = packet.length - start;
  const pseudo = new Uint8Array(source.length * 2 + 8 + length);
  pseudo.set(source, 0);
  pseudo.set(target, source.length);
  const view = new DataView(pseudo.buffer);
  const at = source.length * 2;
  // IPv4: zero, protocol, 16-bit length; IPv6: 32-bit length, 24 zero bits, next header. Both
  // sum to the same words, so the IPv6 form serves for either.
  view.setUint32(at, length);
  view.setUint32(at + 4, PROTOCOL_UDP);
  pseudo.set(packet.subarray(start), at + 8);
  const sum = internetChecksum(pseudo);
  return sum === 0 ? 0xffff : sum;
}
