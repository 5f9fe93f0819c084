/**
 * pcapng ("PCAP Next Generation Dump File Format", draft-ietf-opsawg-pcapng,
 * https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/) output for `--pcapng`: one Section
 * Header Block, an Interface Description Block per interface (its `if_name`, `if_description`
 * and `if_tsresol` = 9, so timestamps count nanoseconds and equal virtual time exactly), and an
 * Enhanced Packet Block per packet, each with its comments (`opt_comment`), which Wireshark shows
 * with the packet and tshark prints as `frame.comment`. Link type LINKTYPE_RAW (101) as in the
 * classic writer (pcap.ts): bare IPv4 or IPv6 packets. Little-endian whatever the host, so the
 * same run gives a byte-identical file anywhere. `readPcapng` reads back what this writes, for
 * tests.
 */
import { assert } from '../sim/index.ts';
import { LINKTYPE_RAW, PCAP_SNAPLEN } from './pcap.ts';

export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_IDB = 0x00000001;
export const PCAPNG_EPB = 0x00000006;
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
/** if_tsresol 9: a timestamp unit of 10^-9 s. */
const NANOSECOND_RESOLUTION = 9;
const TWO_TO_32 = 4294967296;

const utf8 = new TextEncoder();

/** An interface to declare: its name (e.g. `client→server`) and a longer description. */
export interface PcapngInterface {
  readonly name: string;
  readonly description?: string;
}

/** Writes a pcapng section of raw IP packets; blocks are appended in call order. */
export class PcapngWriter {
  readonly #chunks: Uint8Array[] = [];
  #interfaces = 0;
  #packets = 0;

  constructor(application = 'wsksim') {
    const options = encodeOptions([[SHB_USERAPPL, utf8.encode(application)]]);
    const body = new Uint8Array(16 + options.length);
    const view = new DataView(body.buffer);
    view.setUint32(0, PCAPNG_BYTE_ORDER_MAGIC, true);
    view.setUint16(4, 1, true); // major version
    view.setUint16(6, 0, true); // minor version
    view.setInt32(8, -1, true); // section length: not given (-1 as a 64-bit integer)
    view.setInt32(12, -1, true);
    body.set(options, 16);
    this.#block(PCAPNG_SHB, body);
  }

  get packetCount(): number {
    return this.#packets;
  }

  /** Declares an interface; returns its id (0, 1, …), which addPacket takes. */
  addInterface(spec: PcapngInterface): number {
    const entries: [number, Uint8Array][] = [[IF_NAME, utf8.encode(spec.name)]];
    if (spec.description !== undefined)
      entries.push([IF_DESCRIPTION, utf8.encode(spec.description)]);
    entries.push([IF_TSRESOL, Uint8Array.of(NANOSECOND_RESOLUTION)]);
    const options = encodeOptions(entries);
    const body = new Uint8Array(8 + options.length);
    const view = new DataView(body.buffer);
    view.setUint16(0, LINKTYPE_RAW, true);
    view.setUint16(2, 0, true); // reserved
    view.setUint32(4, PCAP_SNAPLEN, true);
    body.set(options, 8);
    this.#block(PCAPNG_IDB, body);
    return this.#interfaces++;
  }

  /** Appends `packet` (an IP packet) seen on `iface` at `atNanoseconds`, with its comments. */
  addPacket(
    iface: number,
    atNanoseconds: number,
    packet: Uint8Array,
    comments: readonly string[] = [],
  ): void {
    assert(iface >= 0 && iface < this.#interfaces, `pcapng: no interface ${iface}`);
    assert(
      Number.isSafeInteger(atNanoseconds) && atNanoseconds >= 0,
      `pcapng time ${atNanoseconds} is not a non-negative integer`,
    );
    const included = Math.min(packet.length, PCAP_SNAPLEN);
    const options = encodeOptions(comments.map((text) => [OPT_COMMENT, utf8.encode(text)]));
    const padded = pad4(included);
    const body = new Uint8Array(20 + padded + options.length);
    const view = new DataView(body.buffer);
    view.setUint32(0, iface, true);
    view.setUint32(4, Math.floor(atNanoseconds / TWO_TO_32), true);
    view.setUint32(8, atNanoseconds % TWO_TO_32, true);
    view.setUint32(12, included, true);
    view.setUint32(16, packet.length, true);
    body.set(packet.subarray(0, included), 20);
    body.set(options, 20 + padded);
    this.#block(PCAPNG_EPB, body);
    this.#packets++;
  }

  /** The file so far. */
  bytes(): Uint8Array {
    const length = this.#chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const out = new Uint8Array(length);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }

  /** type, total length, body (a multiple of 4 bytes), total length again. */
  #block(type: number, body: Uint8Array): void {
    assert(body.length % 4 === 0, 'pcapng block body not 32-bit aligned');
    const block = new Uint8Array(12 + body.length);
    const view = new DataView(block.buffer);
    view.setUint32(0, type, true);
    view.setUint32(4, block.length, true);
    block.set(body, 8);
    view.setUint32(8 + body.length, block.length, true);
    this.#chunks.push(block);
  }
}

function pad4(length: number): number {
  return (length + 3) & ~3;
}

/** Options, each code, length, value padded to 32 bits; then opt_endofopt (none if empty). */
function encodeOptions(entries: readonly (readonly [number, Uint8Array])[]): Uint8Array {
  if (entries.length === 0) return new Uint8Array(0);
  const length = entries.reduce((sum, [, value]) => sum + 4 + pad4(value.length), 4);
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const [code, value] of entries) {
    assert(value.length <= 0xffff, `pcapng option ${code} of ${value.length} bytes`);
    view.setUint16(at, code, true);
    view.setUint16(at + 2, value.length, true);
    out.set(value, at + 4);
    at += 4 + pad4(value.length);
  }
  view.setUint16(at, OPT_ENDOFOPT, true);
  return out;
}

/** An interface as read back. */
export interface PcapngInterfaceRecord {
  readonly linktype: number;
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly tsresol: number | undefined;
}

/** A packet as read back. */
export interface PcapngPacketRecord {
  readonly iface: number;
  /** In the interface's timestamp unit (nanoseconds for what PcapngWriter writes). */
  readonly at: number;
  readonly packet: Uint8Array;
  readonly originalLength: number;
  readonly comments: readonly string[];
}

/**
 * Reads a little-endian pcapng file of one section: its interfaces and enhanced packets.
 * Asserts that it is well formed (lengths agree, blocks aligned); for tests.
 */
export function readPcapng(bytes: Uint8Array): {
  application: string | undefined;
  interfaces: PcapngInterfaceRecord[];
  packets: PcapngPacketRecord[];
} {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder();
  const interfaces: PcapngInterfaceRecord[] = [];
  const packets: PcapngPacketRecord[] = [];
  let application: string | undefined;
  let at = 0;
  while (at < bytes.length) {
    assert(at + 12 <= bytes.length, `truncated block at ${at}`);
    const type = view.getUint32(at, true);
    const length = view.getUint32(at + 4, true);
    assert(length % 4 === 0 && length >= 12, `block at ${at}: length ${length}`);
    assert(at + length <= bytes.length, `block at ${at}: truncated`);
    assert(view.getUint32(at + length - 4, true) === length, `block at ${at}: trailing length`);
    const body = bytes.subarray(at + 8, at + length - 4);
    const bodyView = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const options = (start: number): Map<number, Uint8Array[]> => readOptions(body, start);
    const text = (value: Uint8Array | undefined): string | undefined =>
      value === undefined ? undefined : decoder.decode(value);
    if (type === PCAPNG_SHB) {
      assert(at === 0, 'pcapng: more than one section');
      assert(bodyView.getUint32(0, true) === PCAPNG_BYTE_ORDER_MAGIC, 'pcapng: byte order');
      application = text(options(16).get(SHB_USERAPPL)?.[0]);
    } else if (type === PCAPNG_IDB) {
      const found = options(8);
      interfaces.push({
        linktype: bodyView.getUint16(0, true),
        name: text(found.get(IF_NAME)?.[0]),
        description: text(found.get(IF_DESCRIPTION)?.[0]),
        tsresol: found.get(IF_TSRESOL)?.[0]?.[0],
      });
    } else if (type === PCAPNG_EPB) {
      const iface = bodyView.getUint32(0, true);
      assert(iface < interfaces.length, `packet at ${at} on undeclared interface ${iface}`);
      const included = bodyView.getUint32(12, true);
      const found = options(20 + pad4(included));
      packets.push({
        iface,
        at: bodyView.getUint32(4, true) * TWO_TO_32 + bodyView.getUint32(8, true),
        packet: body.subarray(20, 20 + included),
        originalLength: bodyView.getUint32(16, true),
        comments: (found.get(OPT_COMMENT) ?? []).map((value) => decoder.decode(value)),
      });
    }
    at += length;
  }
  return { application, interfaces, packets };
}

function readOptions(body: Uint8Array, start: number): Map<number, Uint8Array[]> {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const found = new Map<number, Uint8Array[]>();
  let at = start;
  while (at + 4 <= body.length) {
    const code = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (code === OPT_ENDOFOPT) break;
    assert(at + 4 + length <= body.length, `option ${code} runs past its block`);
    const values = found.get(code) ?? [];
    values.push(body.subarray(at + 4, at + 4 + length));
    found.set(code, values);
    at += 4 + pad4(length);
  }
  return found;
}
