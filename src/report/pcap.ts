/**
 * Classic pcap ("libpcap savefile") output of the segments on the wire, for `--pcap`
 * (docs/design.md#scenarios-cli-and-reports; format after docs/tcp.md#classic-pcap,
 * draft-ietf-opsawg-pcap and the Wireshark wiki).
 *
 * Files use the nanosecond magic 0xA1B23C4D because virtual time is an integer count of
 * nanoseconds, so every timestamp in the file equals the virtual time exactly (seconds since
 * epoch 0 plus nanoseconds). The link type is LINKTYPE_RAW (101): each record is a bare IPv4 or
 * IPv6 packet from src/tcp/wire.ts, with no invented link layer. Integers are written
 * little-endian whatever the host, so the same run gives a byte-identical file anywhere.
 * Records must come in non-decreasing time order, since Wireshark's TCP analysis assumes
 * capture order; adding one out of order is a simulator bug and fails an assertion.
 *
 * pcapng, with an interface per link end and comments, is pcapng.ts; neither writes any link type
 * other than raw IP.
 */
import { assert } from '../sim/index.ts';
import type { Segment } from '../tcp/segment.ts';
import { encodeSegment, type IpFields } from '../tcp/wire.ts';

/** Magic number of a savefile whose record timestamps carry nanoseconds. */
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;
/** Magic number of a savefile whose record timestamps carry microseconds. */
export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
/** Packets start directly with an IPv4 or IPv6 header, told apart by the version nibble. */
export const LINKTYPE_RAW = 101;
/** Savefile format version 2.4, the only one readers expect. */
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
/** Largest packet stored whole; IPv4 packets never exceed it. */
export const PCAP_SNAPLEN = 65535;
/** magic, version, thiszone, sigfigs, snaplen, linktype. */
export const PCAP_GLOBAL_HEADER_BYTES = 24;
/** ts_sec, ts_nsec (or ts_usec), incl_len, orig_len. */
export const PCAP_RECORD_HEADER_BYTES = 16;

const NANOSECONDS_PER_SECOND = 1e9;
const INITIAL_CAPACITY = 4096;

/** The global header of a savefile, as read back. */
export interface PcapHeader {
  readonly magic: number;
  readonly littleEndian: boolean;
  readonly nanosecondTimestamps: boolean;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly snaplen: number;
  readonly linktype: number;
}

/** One packet record, as read back. */
export interface PcapRecord {
  /** The record's timestamp in nanoseconds since epoch 0 (virtual time). */
  readonly at: number;
  /** The bytes stored: at most the snaplen. */
  readonly packet: Uint8Array;
  /** The packet's length before any truncation to the snaplen. */
  readonly originalLength: number;
}

/** A segment at the virtual time it was on the wire. */
export interface SegmentRecord {
  readonly at: number;
  readonly segment: Segment;
  /**
   * IP header fields for this packet.
   * @defaultValue a per-source-address identification counter from 1, and encodeSegment's
   * defaults for the rest
   */
  readonly ip?: IpFields;
}

/** Writes a classic pcap file of raw IP packets, one record per add(). */
export class PcapWriter {
  private buffer = new Uint8Array(INITIAL_CAPACITY);
  private view = new DataView(this.buffer.buffer);
  private length = 0;
  private lastAt = 0;
  private records = 0;

  constructor() {
    this.reserve(PCAP_GLOBAL_HEADER_BYTES);
    this.view.setUint32(0, PCAP_MAGIC_NANOSECONDS, true);
    this.view.setUint16(4, PCAP_VERSION_MAJOR, true);
    this.view.setUint16(6, PCAP_VERSION_MINOR, true);
    this.view.setInt32(8, 0, true); // thiszone: timestamps are UTC
    this.view.setUint32(12, 0, true); // sigfigs
    this.view.setUint32(16, PCAP_SNAPLEN, true);
    this.view.setUint32(20, LINKTYPE_RAW, true);
    this.length = PCAP_GLOBAL_HEADER_BYTES;
  }

  /** How many records have been added. */
  get count(): number {
    return this.records;
  }

  /**
   * Appends `packet` (an IP packet) as on the wire at `atNanoseconds` of virtual time. The
   * bytes are copied, so the caller may reuse its buffer. Packets longer than the snaplen are
   * stored truncated with their original length, as a capture would.
   */
  add(atNanoseconds: number, packet: Uint8Array): void {
    assert(Number.isSafeInteger(atNanoseconds), `pcap time ${atNanoseconds} is not an integer`);
    assert(atNanoseconds >= 0, `pcap time ${atNanoseconds} is negative`);
    assert(
      atNanoseconds >= this.lastAt,
      `pcap record at ${atNanoseconds}ns added after one at ${this.lastAt}ns`,
    );
    const seconds = Math.floor(atNanoseconds / NANOSECONDS_PER_SECOND);
    assert(seconds <= 0xffffffff, `pcap time ${atNanoseconds}ns overflows 32-bit seconds`);
    const included = Math.min(packet.length, PCAP_SNAPLEN);
    const start = this.length;
    this.reserve(PCAP_RECORD_HEADER_BYTES + included);
    this.view.setUint32(start, seconds, true);
    this.view.setUint32(start + 4, atNanoseconds % NANOSECONDS_PER_SECOND, true);
    this.view.setUint32(start + 8, included, true);
    this.view.setUint32(start + 12, packet.length, true);
    this.buffer.set(packet.subarray(0, included), start + PCAP_RECORD_HEADER_BYTES);
    this.length = start + PCAP_RECORD_HEADER_BYTES + included;
    this.lastAt = atNanoseconds;
    this.records++;
  }

  /** The file so far: a copy, so later adds do not change it. */
  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}

/**
 * Encodes segments into a pcap as they are sent, numbering each source address's IPv4 packets
 * with its own identification counter (the encoding: docs/tcp.md#ipv4-ipv6-and-tcp-encoding).
 */
export class SegmentCapture {
  private readonly writer = new PcapWriter();
  private readonly identifications = new Map<string, number>();

  /** How many segments have been added. */
  get count(): number {
    return this.writer.count;
  }

  /**
   * Appends `segment` as on the wire at `atNanoseconds`; `ip` overrides the IP header fields
   * (a profile's TTL, say), and an explicit identification replaces the counter's.
   */
  add(atNanoseconds: number, segment: Segment, ip: IpFields = {}): void {
    const next = this.identifications.get(segment.source) ?? 1;
    this.identifications.set(segment.source, (next + 1) & 0xffff);
    const identification = ip.identification ?? next;
    this.writer.add(atNanoseconds, encodeSegment(segment, { ...ip, identification }));
  }

  /** The file so far (see PcapWriter.bytes). */
  bytes(): Uint8Array {
    return this.writer.bytes();
  }
}

/** A pcap of `records`, which must be in non-decreasing time order. */
export function pcapFromSegments(records: readonly SegmentRecord[]): Uint8Array {
  const capture = new SegmentCapture();
  for (const record of records) capture.add(record.at, record.segment, record.ip);
  return capture.bytes();
}

/**
 * Reads a classic pcap file of either byte order and either timestamp resolution. Asserts that
 * it is well formed: it reads back what PcapWriter wrote, for tests.
 */
export function readPcap(bytes: Uint8Array): { header: PcapHeader; records: PcapRecord[] } {
  assert(bytes.length >= PCAP_GLOBAL_HEADER_BYTES, `pcap of ${bytes.length} bytes has no header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = readHeader(view);
  const little = header.littleEndian;
  const fractionScale = header.nanosecondTimestamps ? 1 : 1000;
  const records: PcapRecord[] = [];
  let at = PCAP_GLOBAL_HEADER_BYTES;
  while (at < bytes.length) {
    assert(at + PCAP_RECORD_HEADER_BYTES <= bytes.length, `truncated record header at ${at}`);
    const seconds = view.getUint32(at, little);
    const fraction = view.getUint32(at + 4, little);
    const included = view.getUint32(at + 8, little);
    const originalLength = view.getUint32(at + 12, little);
    assert(fraction * fractionScale < NANOSECONDS_PER_SECOND, `record at ${at}: bad fraction`);
    assert(included <= originalLength, `record at ${at}: incl_len above orig_len`);
    const start = at + PCAP_RECORD_HEADER_BYTES;
    assert(start + included <= bytes.length, `record at ${at}: truncated packet`);
    records.push({
      at: seconds * NANOSECONDS_PER_SECOND + fraction * fractionScale,
      packet: bytes.subarray(start, start + included),
      originalLength,
    });
    at = start + included;
  }
  return { header, records };
}

function readHeader(view: DataView): PcapHeader {
  const magicLittle = view.getUint32(0, true);
  const magicBig = view.getUint32(0, false);
  const isMagic = (magic: number): boolean =>
    magic === PCAP_MAGIC_NANOSECONDS || magic === PCAP_MAGIC_MICROSECONDS;
  const littleEndian = isMagic(magicLittle);
  assert(littleEndian || isMagic(magicBig), `not a pcap file: magic 0x${magicBig.toString(16)}`);
  const magic = littleEndian ? magicLittle : magicBig;
  return {
    magic,
    littleEndian,
    nanosecondTimestamps: magic === PCAP_MAGIC_NANOSECONDS,
    versionMajor: view.getUint16(4, littleEndian),
    versionMinor: view.getUint16(6, littleEndian),
    snaplen: view.getUint32(16, littleEndian),
    linktype: view.getUint32(20, littleEndian),
  };
}
