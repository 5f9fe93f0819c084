/**
 * The wire form of a segment: the whole IP packet that carries it, byte for byte, so that a pcap
 * of a run decodes cleanly in Wireshark and tshark (docs/tcp.md#ipv4-ipv6-and-tcp-encoding; headers
 * after RFC 791 §3.1 and RFC 8200 §3, the TCP header after RFC 9293 §3.1, checksums after RFC 1071
 * with the IPv6 pseudo-header of RFC 8200 §8.1, options after RFC 6691, RFC 7323 §2–3 and
 * RFC 2018 §2).
 *
 * Options are laid out the way the two profiles' operating systems lay them out, because a
 * trace that looks like a real capture is easier to compare with one: a Windows SYN is
 * `MSS, NOP, WS, NOP, NOP, SACK_PERM`, a Linux SYN `MSS, SACK_PERM, TS, NOP, WS`
 * (docs/tcp.md#ipv4-ipv6-and-tcp-encoding). The segment does not say which OS sent it, so the
 * layout defaults to Linux's when timestamps are present (Linux sends them by default, Windows does
 * not) and to Windows' otherwise; the two agree whenever timestamps are absent.
 *
 * Deliberately left out: IP options, IPv6 extension headers and fragmentation (the simulated
 * stack never sends them), the urgent pointer (always 0), SACK blocks and ECN (the segment type
 * has no field for them). Addresses are parsed here rather than taken from src/topology so that
 * this file depends on nothing but the segment type and the assertions.
 */
import { assert } from '../sim/index.ts';
import { addressBytes as parseAddressBytes, formatAddressBytes } from '../topology/index.ts';
import type { Segment, TcpOptions } from './segment.ts';

/** How the TCP options of a segment are ordered and padded on the wire. */
export type OptionLayout = 'windows' | 'linux';

/** The IP header fields a segment does not carry. */
export interface IpFields {
  /**
   * IPv4 identification field; ignored for IPv6. Callers pass a per-host counter so that runs
   * stay deterministic.
   * @defaultValue 0
   */
  readonly identification?: number;
  /**
   * IPv4 TTL or IPv6 hop limit.
   * @defaultValue 64
   */
  readonly hopLimit?: number;
  /**
   * Which OS's option order to mirror.
   * @defaultValue 'linux' when the segment carries timestamps, otherwise 'windows'
   */
  readonly optionLayout?: OptionLayout;
}

/** A packet read back from the wire: the segment and the IP header fields around it. */
export interface DecodedPacket {
  readonly segment: Segment;
  readonly version: 4 | 6;
  /** IPv4 identification; 0 for IPv6. */
  readonly identification: number;
  readonly hopLimit: number;
}

/** The IPv4 header without options (IHL 5). */
export const IPV4_HEADER_BYTES = 20;
/** The fixed IPv6 header; no extension headers follow it. */
export const IPV6_HEADER_BYTES = 40;
/** The TCP header without options (data offset 5). */
export const TCP_HEADER_BYTES = 20;
/** Data offset is a 4-bit count of 32-bit words, so a TCP header holds at most 40 option bytes. */
export const TCP_OPTIONS_MAX_BYTES = 40;
const PROTOCOL_TCP = 6;
const DEFAULT_HOP_LIMIT = 64;
const IPV4_DONT_FRAGMENT = 0x4000;

const OPTION_END = 0;
const OPTION_NOP = 1;
const OPTION_MSS = 2;
const OPTION_WINDOW_SCALE = 3;
const OPTION_SACK_PERMITTED = 4;
const OPTION_TIMESTAMPS = 8;
/** RFC 7323 §2.3: a shift above 14 is treated as 14, so sending one is a bug. */
const WINDOW_SCALE_MAX = 14;

/** Reused between calls: options are written here first so that the packet is sized once. */
const optionScratch = new Uint8Array(TCP_OPTIONS_MAX_BYTES);

/**
 * Encodes a segment as a complete IPv4 or IPv6 packet, chosen by the address family of
 * `segment.source` and `segment.target` (which must agree). Allocates exactly one Uint8Array.
 */
export function encodeSegment(segment: Segment, ip: IpFields = {}): Uint8Array {
  const source = addressBytes(segment.source);
  const target = addressBytes(segment.target);
  assert(
    source.length === target.length,
    `segment mixes address families: ${segment.source} → ${segment.target}`,
  );
  checkSegmentFields(segment);
  const layout = ip.optionLayout ?? (segment.options.timestamp ? 'linux' : 'windows');
  const optionsLength = writeOptions(segment.options, layout, optionScratch);
  const tcpLength = TCP_HEADER_BYTES + optionsLength + segment.data.length;
  const isIpv4 = source.length === 4;
  const ipLength = isIpv4 ? IPV4_HEADER_BYTES : IPV6_HEADER_BYTES;
  const packet = new Uint8Array(ipLength + tcpLength);
  const hopLimit = ip.hopLimit ?? DEFAULT_HOP_LIMIT;
  assert(isByte(hopLimit), `hop limit ${hopLimit} is not a byte`);
  if (isIpv4) {
    const identification = ip.identification ?? 0;
    assert(isUint16(identification), `IPv4 identification ${identification} is not 16-bit`);
    assert(ipLength + tcpLength <= 0xffff, `IPv4 packet of ${ipLength + tcpLength} bytes`);
    writeIpv4Header(packet, tcpLength, identification, hopLimit, source, target);
  } else {
    assert(tcpLength <= 0xffff, `IPv6 payload of ${tcpLength} bytes needs a jumbogram`);
    writeIpv6Header(packet, tcpLength, hopLimit, source, target);
  }
  writeTcpHeader(packet, ipLength, segment, optionsLength);
  packet.set(optionScratch.subarray(0, optionsLength), ipLength + TCP_HEADER_BYTES);
  packet.set(segment.data, ipLength + TCP_HEADER_BYTES + optionsLength);
  writeUint16(packet, ipLength + 16, tcpChecksum(packet));
  return packet;
}

/** Reads a packet written by encodeSegment back into a segment (see decodePacket). */
export function decodeSegment(bytes: Uint8Array): Segment {
  return decodePacket(bytes).segment;
}

/**
 * Reads an IPv4 or IPv6 packet carrying TCP. Asserts that it is well formed and that its
 * checksums hold: the packets read here were written by encodeSegment, so anything else is a
 * bug. The segment's data is a view into `bytes`, not a copy.
 */
export function decodePacket(bytes: Uint8Array): DecodedPacket {
  assert(bytes.length >= IPV4_HEADER_BYTES, `packet of ${bytes.length} bytes is too short`);
  const version = (bytes[0] ?? 0) >> 4;
  assert(version === 4 || version === 6, `IP version ${version} is neither 4 nor 6`);
  const tcpStart = version === 4 ? checkIpv4Header(bytes) : checkIpv6Header(bytes);
  const tcpEnd = ipPacketEnd(bytes);
  const computed = tcpChecksum(bytes);
  assert(readUint16(bytes, tcpStart + 16) === computed, `bad TCP checksum (want ${hex(computed)})`);
  const dataOffset = ((bytes[tcpStart + 12] ?? 0) >> 4) * 4;
  assert(dataOffset >= TCP_HEADER_BYTES, `TCP data offset ${dataOffset} below 20 bytes`);
  assert(tcpStart + dataOffset <= tcpEnd, `TCP data offset ${dataOffset} past the packet end`);
  const source = formatAddressBytes(bytes, version === 4 ? 12 : 8, version);
  const target = formatAddressBytes(bytes, version === 4 ? 16 : 24, version);
  const segment: Segment = {
    source,
    target,
    sourcePort: readUint16(bytes, tcpStart),
    targetPort: readUint16(bytes, tcpStart + 2),
    seq: readUint32(bytes, tcpStart + 4),
    ack: readUint32(bytes, tcpStart + 8),
    flags: bytes[tcpStart + 13] ?? 0,
    window: readUint16(bytes, tcpStart + 14),
    options: readOptions(bytes, tcpStart + TCP_HEADER_BYTES, tcpStart + dataOffset),
    data: bytes.subarray(tcpStart + dataOffset, tcpEnd),
  };
  return {
    segment,
    version,
    identification: version === 4 ? readUint16(bytes, 4) : 0,
    hopLimit: (version === 4 ? bytes[8] : bytes[7]) ?? 0,
  };
}

/**
 * The RFC 1071 Internet checksum of `bytes[start, end)`: the ones' complement of the ones'
 * complement sum of its 16-bit big-endian words, an odd last byte padded with zero.
 */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return ~fold(sumWords(bytes, start, end, 0)) & 0xffff;
}

/**
 * The IPv4 header checksum to store for the header at `offset`: computed over IHL × 4 bytes
 * with the checksum field (bytes 10–11) taken as zero, so it also verifies a stored value.
 */
export function ipv4HeaderChecksum(bytes: Uint8Array, offset = 0): number {
  const headerLength = ((bytes[offset] ?? 0) & 0x0f) * 4;
  assert(headerLength >= IPV4_HEADER_BYTES, `IPv4 IHL of ${headerLength} bytes`);
  assert(offset + headerLength <= bytes.length, 'IPv4 header runs past the buffer');
  let sum = sumWords(bytes, offset, offset + 10, 0);
  sum = sumWords(bytes, offset + 12, offset + headerLength, sum);
  return ~fold(sum) & 0xffff;
}

/**
 * The TCP checksum to store for the IPv4 or IPv6 packet `packet`: over the pseudo-header
 * (RFC 9293 §3.1 for IPv4, RFC 8200 §8.1 for IPv6), the TCP header with its checksum field
 * taken as zero, and the data. The packet's lengths come from its IP header.
 */
export function tcpChecksum(packet: Uint8Array): number {
  const version = (packet[0] ?? 0) >> 4;
  assert(version === 4 || version === 6, `IP version ${version} is neither 4 nor 6`);
  const tcpStart = version === 4 ? ((packet[0] ?? 0) & 0x0f) * 4 : IPV6_HEADER_BYTES;
  const tcpEnd = ipPacketEnd(packet);
  assert(tcpStart + TCP_HEADER_BYTES <= tcpEnd, 'packet too short for a TCP header');
  const tcpLength = tcpEnd - tcpStart;
  // Pseudo-header: both addresses, the protocol and the TCP length. Within a ones' complement
  // sum the IPv6 form (32-bit length, 24 zero bits, next header) adds up to the same words.
  let sum = version === 4 ? sumWords(packet, 12, 20, 0) : sumWords(packet, 8, 40, 0);
  sum += PROTOCOL_TCP + (tcpLength >>> 16) + (tcpLength & 0xffff);
  sum = sumWords(packet, tcpStart, tcpStart + 16, sum);
  sum = sumWords(packet, tcpStart + 18, tcpEnd, sum);
  return ~fold(sum) & 0xffff;
}

// ---- IP headers ----------------------------------------------------------------------------

function writeIpv4Header(
  packet: Uint8Array,
  tcpLength: number,
  identification: number,
  ttl: number,
  source: Uint8Array,
  target: Uint8Array,
): void {
  packet[0] = 0x45; // version 4, IHL 5 words
  packet[1] = 0; // DSCP and ECN
  writeUint16(packet, 2, IPV4_HEADER_BYTES + tcpLength);
  writeUint16(packet, 4, identification);
  writeUint16(packet, 6, IPV4_DONT_FRAGMENT);
  packet[8] = ttl;
  packet[9] = PROTOCOL_TCP;
  packet.set(source, 12);
  packet.set(target, 16);
  writeUint16(packet, 10, ipv4HeaderChecksum(packet, 0));
}

function writeIpv6Header(
  packet: Uint8Array,
  tcpLength: number,
  hopLimit: number,
  source: Uint8Array,
  target: Uint8Array,
): void {
  packet[0] = 0x60; // version 6; traffic class and flow label stay 0
  writeUint16(packet, 4, tcpLength);
  packet[6] = PROTOCOL_TCP;
  packet[7] = hopLimit;
  packet.set(source, 8);
  packet.set(target, 24);
}

/** Checks an IPv4 header and returns where the TCP header starts. */
function checkIpv4Header(bytes: Uint8Array): number {
  const headerLength = ((bytes[0] ?? 0) & 0x0f) * 4;
  assert(headerLength >= IPV4_HEADER_BYTES, `IPv4 IHL of ${headerLength} bytes`);
  assert(bytes[9] === PROTOCOL_TCP, `IPv4 protocol ${bytes[9]} is not TCP`);
  assert((readUint16(bytes, 6) & 0x3fff) === 0, 'IPv4 fragment');
  const computed = ipv4HeaderChecksum(bytes, 0);
  assert(readUint16(bytes, 10) === computed, `bad IPv4 header checksum (want ${hex(computed)})`);
  return headerLength;
}

/** Checks an IPv6 header and returns where the TCP header starts. */
function checkIpv6Header(bytes: Uint8Array): number {
  assert(bytes.length >= IPV6_HEADER_BYTES, `IPv6 packet of ${bytes.length} bytes`);
  assert(bytes[6] === PROTOCOL_TCP, `IPv6 next header ${bytes[6]} is not TCP`);
  return IPV6_HEADER_BYTES;
}

/** Where the IP packet ends according to its own length field. */
function ipPacketEnd(packet: Uint8Array): number {
  const isIpv4 = (packet[0] ?? 0) >> 4 === 4;
  const end = isIpv4 ? readUint16(packet, 2) : IPV6_HEADER_BYTES + readUint16(packet, 4);
  assert(end <= packet.length, `IP length ${end} exceeds the ${packet.length} bytes held`);
  return end;
}

// ---- TCP header and options ----------------------------------------------------------------

function writeTcpHeader(
  packet: Uint8Array,
  start: number,
  segment: Segment,
  optionsLength: number,
): void {
  writeUint16(packet, start, segment.sourcePort);
  writeUint16(packet, start + 2, segment.targetPort);
  writeUint32(packet, start + 4, segment.seq);
  writeUint32(packet, start + 8, segment.ack);
  packet[start + 12] = ((TCP_HEADER_BYTES + optionsLength) / 4) << 4;
  packet[start + 13] = segment.flags;
  writeUint16(packet, start + 14, segment.window);
  // Checksum (16–17) is filled in last; the urgent pointer (18–19) stays 0.
}

/**
 * Writes the options into `out` in `layout`'s order and returns their length, a multiple of 4.
 * Linux follows tcp_options_write() (net/ipv4/tcp_output.c): MSS; SACK_PERM+TS or NOP,NOP,TS;
 * NOP,WS; NOP,NOP,SACK_PERM when there is no TS to pair it with. Windows puts the window scale
 * right after the MSS and pairs SACK_PERM with TS the same way.
 */
function writeOptions(options: TcpOptions, layout: OptionLayout, out: Uint8Array): number {
  let at = 0;
  const sackPermitted = options.sackPermitted === true;
  if (options.mss !== undefined) {
    out[at++] = OPTION_MSS;
    out[at++] = 4;
    writeUint16(out, at, options.mss);
    at += 2;
  }
  if (layout === 'windows') at = writeWindowScale(options, out, at);
  if (options.timestamp !== undefined) {
    out[at++] = sackPermitted ? OPTION_SACK_PERMITTED : OPTION_NOP;
    out[at++] = sackPermitted ? 2 : OPTION_NOP;
    out[at++] = OPTION_TIMESTAMPS;
    out[at++] = 10;
    writeUint32(out, at, options.timestamp.value);
    writeUint32(out, at + 4, options.timestamp.echo);
    at += 8;
  }
  if (layout === 'linux') at = writeWindowScale(options, out, at);
  if (sackPermitted && options.timestamp === undefined) {
    out[at++] = OPTION_NOP;
    out[at++] = OPTION_NOP;
    out[at++] = OPTION_SACK_PERMITTED;
    out[at++] = 2;
  }
  while (at % 4 !== 0) out[at++] = OPTION_END;
  return at;
}

function writeWindowScale(options: TcpOptions, out: Uint8Array, at: number): number {
  if (options.windowScale === undefined) return at;
  out[at] = OPTION_NOP;
  out[at + 1] = OPTION_WINDOW_SCALE;
  out[at + 2] = 3;
  out[at + 3] = options.windowScale;
  return at + 4;
}

function readOptions(bytes: Uint8Array, start: number, end: number): TcpOptions {
  let mss: number | undefined;
  let windowScale: number | undefined;
  let sackPermitted = false;
  let timestamp: { value: number; echo: number } | undefined;
  let at = start;
  while (at < end) {
    const kind = bytes[at] ?? OPTION_END;
    if (kind === OPTION_END) break;
    if (kind === OPTION_NOP) {
      at += 1;
      continue;
    }
    const length = bytes[at + 1] ?? 0;
    assert(length >= 2, `TCP option ${kind} with length ${length}`);
    assert(at + length <= end, `TCP option ${kind} runs past the header`);
    assert(length === optionLength(kind), `TCP option ${kind} with length ${length}`);
    if (kind === OPTION_MSS) mss = readUint16(bytes, at + 2);
    else if (kind === OPTION_WINDOW_SCALE) windowScale = bytes[at + 2] ?? 0;
    else if (kind === OPTION_SACK_PERMITTED) sackPermitted = true;
    else timestamp = { value: readUint32(bytes, at + 2), echo: readUint32(bytes, at + 6) };
    at += length;
  }
  return {
    ...(mss === undefined ? {} : { mss }),
    ...(windowScale === undefined ? {} : { windowScale }),
    ...(sackPermitted ? { sackPermitted } : {}),
    ...(timestamp === undefined ? {} : { timestamp }),
  };
}

/** The fixed length of each option kind the segment type can hold; 0 for any other kind. */
function optionLength(kind: number): number {
  switch (kind) {
    case OPTION_MSS:
      return 4;
    case OPTION_WINDOW_SCALE:
      return 3;
    case OPTION_SACK_PERMITTED:
      return 2;
    case OPTION_TIMESTAMPS:
      return 10;
    default:
      return 0;
  }
}

function checkSegmentFields(segment: Segment): void {
  assert(isUint16(segment.sourcePort), `source port ${segment.sourcePort} is not 16-bit`);
  assert(isUint16(segment.targetPort), `target port ${segment.targetPort} is not 16-bit`);
  assert(isUint32(segment.seq), `seq ${segment.seq} is not 32-bit unsigned`);
  assert(isUint32(segment.ack), `ack ${segment.ack} is not 32-bit unsigned`);
  assert(isByte(segment.flags), `flags ${segment.flags} do not fit the flags byte`);
  assert(isUint16(segment.window), `window ${segment.window} is not 16-bit (scale it first)`);
  const { mss, windowScale, timestamp } = segment.options;
  if (mss !== undefined) assert(isUint16(mss), `MSS ${mss} is not 16-bit`);
  if (windowScale !== undefined) {
    assert(isByte(windowScale), `window scale ${windowScale} is not a byte`);
    assert(windowScale <= WINDOW_SCALE_MAX, `window scale ${windowScale} above 14`);
  }
  if (timestamp !== undefined) {
    assert(isUint32(timestamp.value), `TSval ${timestamp.value} is not 32-bit unsigned`);
    assert(isUint32(timestamp.echo), `TSecr ${timestamp.echo} is not 32-bit unsigned`);
  }
}

// ---- Addresses -----------------------------------------------------------------------------

/**
 * Parsed addresses by their text. A run uses a handful of addresses and sends many segments,
 * so parsing each once keeps encoding to one allocation. The cache is a pure memo: it never
 * changes a result, only how fast it comes.
 */
const addressCache = new Map<string, Uint8Array>();
const ADDRESS_CACHE_MAX = 4096;

function addressBytes(text: string): Uint8Array {
  const cached = addressCache.get(text);
  if (cached !== undefined) return cached;
  const parsed = parseAddressBytes(text);
  assert(parsed !== undefined, `not an IPv4 or IPv6 address: ${JSON.stringify(text)}`);
  if (addressCache.size >= ADDRESS_CACHE_MAX) addressCache.clear();
  addressCache.set(text, parsed);
  return parsed;
}

// ---- Bytes ---------------------------------------------------------------------------------

function sumWords(bytes: Uint8Array, start: number, end: number, sum: number): number {
  let at = start;
  for (; at + 1 < end; at += 2) sum += ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
  if (at < end) sum += (bytes[at] ?? 0) << 8;
  return sum;
}

/** Folds the carries of a ones' complement sum back into 16 bits (RFC 1071 §4.1). */
function fold(sum: number): number {
  let folded = sum;
  while (folded > 0xffff) folded = (folded & 0xffff) + Math.floor(folded / 0x10000);
  return folded;
}

function readUint16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function readUint32(bytes: Uint8Array, at: number): number {
  return readUint16(bytes, at) * 0x10000 + readUint16(bytes, at + 2);
}

function writeUint16(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 8;
  bytes[at + 1] = value & 0xff;
}

function writeUint32(bytes: Uint8Array, at: number, value: number): void {
  writeUint16(bytes, at, Math.floor(value / 0x10000));
  writeUint16(bytes, at + 2, value % 0x10000);
}

function isByte(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xff;
}

function isUint16(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xffff;
}

function isUint32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(4, '0')}`;
}
