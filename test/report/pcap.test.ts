/**
 * Tests of src/report/pcap.ts: the savefile layout byte for byte (docs/tcp.md#classic-pcap), the
 * time-order assertion, reading files back, and tshark as an oracle on hand-built conversations
 * (issue 3 "Tests"): a clean decode with every checksum verified, record timestamps equal to the
 * virtual times to the nanosecond, and the retransmission and port-reuse flags tshark's TCP
 * analysis should raise.
 */
import { describe, expect, it } from 'vitest';
import {
  LINKTYPE_RAW,
  PCAP_MAGIC_NANOSECONDS,
  PcapWriter,
  pcapFromSegments,
  readPcap,
  type SegmentRecord,
} from '../../src/report/index.ts';
import { AssertionError } from '../../src/sim/index.ts';
import { ACK, FIN, PSH, RST, SYN, type Segment, type TcpOptions } from '../../src/tcp/segment.ts';
import { decodePacket, encodeSegment } from '../../src/tcp/wire.ts';
import {
  expectCleanDecode,
  itWithTshark,
  runTshark,
  writeTempPcap,
  type TsharkPacket,
} from '../support/tshark.ts';

const MS = 1_000_000;
const NO_DATA = new Uint8Array(0);
const WINDOWS_SYN: TcpOptions = { mss: 1460, windowScale: 8, sackPermitted: true };

function littleEndian32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];
}

/**
 * Builds the two directions of one connection from a template
 * (docs/design.md#how-tests-are-written).
 */
function conversation(client: string, server: string, clientPort: number, serverPort = 80) {
  const base = { window: 64240, options: {}, data: NO_DATA, seq: 0, ack: 0, flags: 0 };
  const fromClient = (fields: Partial<Segment>): Segment => ({
    ...{ source: client, target: server, sourcePort: clientPort, targetPort: serverPort },
    ...base,
    ...fields,
  });
  const fromServer = (fields: Partial<Segment>): Segment => ({
    ...{ source: server, target: client, sourcePort: serverPort, targetPort: clientPort },
    ...base,
    ...fields,
  });
  return { fromClient, fromServer };
}

describe('report: pcap writer', () => {
  it('global header → magic a1b23c4d (ns), 2.4, 0, 0, snaplen 65535, linktype 101', () => {
    const file = new PcapWriter().bytes();
    expect([...file]).toEqual([
      0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0xff, 0xff, 0, 0, 101, 0, 0, 0,
    ]);
  });

  it('a record at 1.500000123 s → ts_sec 1, ts_nsec 500000123, incl_len = orig_len = 3', () => {
    const writer = new PcapWriter();
    writer.add(1_500_000_123, Uint8Array.from([0x45, 1, 2]));
    const file = writer.bytes();
    expect([...file.subarray(24)]).toEqual([
      ...littleEndian32(1), ...littleEndian32(500_000_123), ...littleEndian32(3),
      ...littleEndian32(3), 0x45, 1, 2,
    ]);
    expect(writer.count).toBe(1);
  });

  it('records at equal times are accepted; an earlier one → AssertionError', () => {
    const writer = new PcapWriter();
    writer.add(10, Uint8Array.of(0x45));
    writer.add(10, Uint8Array.of(0x45));
    expect(() => writer.add(9, Uint8Array.of(0x45))).toThrow(AssertionError);
    expect(() => writer.add(9, Uint8Array.of(0x45))).toThrow(/added after one at 10ns/);
  });

  it('a negative or fractional time → AssertionError', () => {
    expect(() => new PcapWriter().add(-1, Uint8Array.of(0x45))).toThrow(AssertionError);
    expect(() => new PcapWriter().add(0.5, Uint8Array.of(0x45))).toThrow(AssertionError);
  });

  it('a packet over the snaplen is stored truncated with its original length (70000)', () => {
    const writer = new PcapWriter();
    writer.add(0, new Uint8Array(70_000));
    const [record] = readPcap(writer.bytes()).records;
    expect(record?.packet.length).toBe(65535);
    expect(record?.originalLength).toBe(70_000);
  });

  it('bytes() is a snapshot: later adds leave it unchanged (buffer grown past 4 KiB)', () => {
    const writer = new PcapWriter();
    writer.add(0, new Uint8Array(100));
    const before = writer.bytes();
    for (let index = 1; index <= 100; index++) writer.add(index, new Uint8Array(100).fill(index));
    expect(before.length).toBe(24 + 16 + 100);
    expect(writer.bytes().length).toBe(24 + 101 * (16 + 100));
    expect(readPcap(writer.bytes()).records[100]?.packet[0]).toBe(100);
  });

  it('readPcap reads back what the writer wrote (times, packets, header)', () => {
    const writer = new PcapWriter();
    const packets = [Uint8Array.of(0x45, 9), Uint8Array.of(0x60, 1, 2, 3)];
    writer.add(5, packets[0]!);
    writer.add(3 * 1e9 + 7, packets[1]!);
    const { header, records } = readPcap(writer.bytes());
    expect(header).toEqual({
      magic: PCAP_MAGIC_NANOSECONDS, littleEndian: true, nanosecondTimestamps: true,
      versionMajor: 2, versionMinor: 4, snaplen: 65535, linktype: LINKTYPE_RAW,
    });
    expect(records.map((record) => record.at)).toEqual([5, 3 * 1e9 + 7]);
    const stored = records.map((record) => [...record.packet]);
    expect(stored).toEqual(packets.map((packet) => [...packet]));
  });

  it('readPcap reads a big-endian microsecond file (ts 2 s 250 µs → 2000250000 ns)', () => {
    const file = Uint8Array.from([
      0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 101,
      0, 0, 0, 2, 0, 0, 0, 250, 0, 0, 0, 1, 0, 0, 0, 1, 0x45,
    ]);
    const { header, records } = readPcap(file);
    expect(header.littleEndian).toBe(false);
    expect(header.nanosecondTimestamps).toBe(false);
    expect(records).toEqual([
      { at: 2_000_250_000, packet: Uint8Array.of(0x45), originalLength: 1 },
    ]);
  });

  it('readPcap of a file that is not a pcap → AssertionError', () => {
    expect(() => readPcap(new Uint8Array(24))).toThrow(/not a pcap file/);
  });
});

describe('report: pcap of segments', () => {
  const { fromClient, fromServer } = conversation('10.0.0.1', '10.0.0.2', 49152);
  const options = WINDOWS_SYN;
  const handshake: SegmentRecord[] = [
    { at: 0, segment: fromClient({ seq: 1000, flags: SYN, options }) },
    { at: 5 * MS, segment: fromServer({ seq: 9000, ack: 1001, flags: SYN | ACK, options }) },
    { at: 10 * MS, segment: fromClient({ seq: 1001, ack: 9001, flags: ACK, window: 1026 }) },
  ];

  it('each packet is encodeSegment of its segment, numbered per source from 1', () => {
    const { records } = readPcap(pcapFromSegments(handshake));
    expect(records.map((record) => record.at)).toEqual([0, 5 * MS, 10 * MS]);
    expect(records.map((record) => decodePacket(record.packet).segment)).toEqual(
      handshake.map((record) => record.segment),
    );
    const identifications = records.map((record) => decodePacket(record.packet).identification);
    expect(identifications).toEqual([1, 1, 2]);
    expect([...(records[0]?.packet ?? [])]).toEqual([
      ...encodeSegment(handshake[0]!.segment, { identification: 1 }),
    ]);
  });

  it('the same segments give a byte-identical file', () => {
    expect(pcapFromSegments(handshake)).toEqual(pcapFromSegments(handshake));
  });

  it('segments out of time order → AssertionError', () => {
    expect(() => pcapFromSegments([handshake[1]!, handshake[0]!])).toThrow(AssertionError);
  });
});

// ---- tshark as the oracle ------------------------------------------------------------------

function tsharkFields(path: string, fields: readonly string[]): string[][] {
  const output = runTshark(path, [
    '-n', '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((field) => ['-e', field]),
  ]);
  return output.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
}

function expectTimesEqual(
  packets: readonly TsharkPacket[],
  records: readonly SegmentRecord[],
): void {
  expect(packets.map((packet) => packet.at)).toEqual(records.map((record) => record.at));
}

function flagged(packets: readonly TsharkPacket[]): [number, readonly string[]][] {
  return packets.filter((packet) => packet.analysis.length > 0).map((p) => [p.frame, p.analysis]);
}

describe('report: pcap decoded by tshark', () => {
  itWithTshark('IPv4 handshake, Windows SYN options → clean, options read back, no flags', () => {
    const { fromClient, fromServer } = conversation('10.0.0.1', '10.0.0.2', 49152);
    const options = WINDOWS_SYN;
    // The server's ISN is near 2^32, as the relative numbers below must not care.
    const records: SegmentRecord[] = [
      { at: 1_000_000_001, segment: fromClient({ seq: 0x89abcdef, flags: SYN, options }) },
      {
        at: 1_000_250_002,
        segment: fromServer({ seq: 0xfffffff0, ack: 0x89abcdf0, flags: SYN | ACK, options }),
      },
      {
        at: 1_000_500_003,
        segment: fromClient({ seq: 0x89abcdf0, ack: 0xfffffff1, flags: ACK, window: 1026 }),
      },
    ];
    const path = writeTempPcap('handshake-ipv4-windows', pcapFromSegments(records));
    const packets = expectCleanDecode(path, 3);
    expect(packets.map((packet) => packet.protocols)).toEqual(Array(3).fill('raw:ip:tcp'));
    expectTimesEqual(packets, records);
    expect(flagged(packets)).toEqual([]);
    const optionFields = [
      'tcp.options.mss_val', 'tcp.options.wscale.shift', 'tcp.options.sack_perm', 'tcp.hdr_len',
    ];
    expect(tsharkFields(path, optionFields)).toEqual([
      ['1460', '8', '0402', '32'],
      ['1460', '8', '0402', '32'],
      ['', '', '', '20'],
    ]);
    // Relative numbering works because the SYNs are in the capture
    // (docs/tcp.md#ipv4-ipv6-and-tcp-encoding).
    expect(tsharkFields(path, ['tcp.seq', 'tcp.ack', 'tcp.window_size'])).toEqual([
      ['0', '0', '64240'],
      ['0', '1', '64240'],
      ['1', '1', String(1026 * 256)],
    ]);
  });

  itWithTshark('IPv6 handshake, Linux options → clean decode, TSval/TSecr read back', () => {
    const { fromClient, fromServer } = conversation('fd00::1', 'fd00::2', 40000);
    const linux = (value: number, echo = 0): TcpOptions => ({
      mss: 1440, windowScale: 7, sackPermitted: true, timestamp: { value, echo },
    });
    const synAck = { seq: 7000, ack: 501, flags: SYN | ACK, window: 64260 };
    const records: SegmentRecord[] = [
      { at: 7, segment: fromClient({ seq: 500, flags: SYN, window: 64800, options: linux(100) }) },
      { at: 1_234_567, segment: fromServer({ ...synAck, options: linux(900, 100) }) },
      {
        at: 2_469_127,
        segment: fromClient({
          ...{ seq: 501, ack: 7001, flags: ACK, window: 507 },
          options: { timestamp: { value: 101, echo: 900 } },
        }),
      },
    ];
    const path = writeTempPcap('handshake-ipv6-linux', pcapFromSegments(records));
    const packets = expectCleanDecode(path, 3);
    expect(packets.map((packet) => packet.protocols)).toEqual(Array(3).fill('raw:ipv6:tcp'));
    expectTimesEqual(packets, records);
    expect(flagged(packets)).toEqual([]);
    expect(
      tsharkFields(path, [
        'ipv6.src', 'ipv6.plen', 'ipv6.hlim', 'tcp.options.mss_val', 'tcp.options.sack_perm',
        'tcp.options.timestamp.tsval', 'tcp.options.timestamp.tsecr', 'tcp.options.wscale.shift',
      ]),
    ).toEqual([
      ['fd00::1', '40', '64', '1440', '0402', '100', '0', '7'],
      ['fd00::2', '40', '64', '1440', '0402', '900', '100', '7'],
      ['fd00::1', '32', '64', '', '', '101', '900', ''],
    ]);
  });

  itWithTshark('data sent again 200 ms later → flagged tcp.analysis.retransmission', () => {
    const { fromClient, fromServer } = conversation('10.0.0.1', '10.0.0.2', 49153);
    const client = (fields: Partial<Segment>): Segment => fromClient({ window: 1026, ...fields });
    const server = (fields: Partial<Segment>): Segment => fromServer({ window: 1026, ...fields });
    const options = WINDOWS_SYN;
    const data = new Uint8Array(1001).map((_, index) => index & 0xff); // odd: padded checksum
    const records: SegmentRecord[] = [
      { at: 0, segment: fromClient({ seq: 100, flags: SYN, options }) },
      { at: 1 * MS, segment: fromServer({ seq: 300, ack: 101, flags: SYN | ACK, options }) },
      { at: 2 * MS, segment: client({ seq: 101, ack: 301, flags: ACK }) },
      { at: 3 * MS, segment: client({ seq: 101, ack: 301, flags: ACK | PSH, data }) },
      { at: 203 * MS, segment: client({ seq: 101, ack: 301, flags: ACK | PSH, data }) },
      { at: 204 * MS, segment: server({ seq: 301, ack: 1102, flags: ACK }) },
      { at: 205 * MS, segment: client({ seq: 1102, ack: 301, flags: FIN | ACK }) },
      { at: 206 * MS, segment: server({ seq: 301, ack: 1103, flags: FIN | ACK }) },
      { at: 207 * MS, segment: client({ seq: 1103, ack: 302, flags: ACK }) },
    ];
    const path = writeTempPcap('retransmission', pcapFromSegments(records));
    const packets = expectCleanDecode(path, records.length);
    expectTimesEqual(packets, records);
    expect(flagged(packets)).toEqual([[5, ['retransmission']]]);
  });

  itWithTshark('SYN, RST,ACK, a new SYN on the same 4-tuple → tcp.analysis.reused_ports', () => {
    // The windows10 retry-on-RST pattern (docs/tcp.md#windows-timings): SYN, RST,ACK, 0.5 s, SYN
    // again.
    const { fromClient, fromServer } = conversation('10.0.0.1', '10.0.0.2', 50000, 8080);
    const records: SegmentRecord[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const isn = 0x10000000 + attempt * 0x01000000; // a new connection request, a new ISN
      const at = attempt * 500 * MS;
      const rst = fromServer({ seq: 0, ack: isn + 1, flags: RST | ACK, window: 0 });
      records.push({ at, segment: fromClient({ seq: isn, flags: SYN, options: WINDOWS_SYN }) });
      records.push({ at: at + 100_000, segment: rst });
    }
    const path = writeTempPcap('refused-windows10', pcapFromSegments(records));
    const packets = expectCleanDecode(path, 10);
    expectTimesEqual(packets, records);
    expect(flagged(packets)).toEqual([3, 5, 7, 9].map((frame) => [frame, ['reused_ports']]));
    expect(tsharkFields(path, ['tcp.seq', 'tcp.ack', 'tcp.flags.str']).slice(0, 2)).toEqual([
      ['0', '0', '··········S·'],
      ['1', '1', '·······A·R··'],
    ]);
  });

  itWithTshark('SYN, RST,ACK, the same SYN again (same ISN) → retransmission, not reuse', () => {
    // tshark starts a new conversation (and flags reused ports) only when the SYN's sequence
    // number differs from the first SYN's; the TCP layer must draw a new ISN per retry.
    const { fromClient, fromServer } = conversation('10.0.0.1', '10.0.0.2', 50001, 8080);
    const syn = fromClient({ seq: 4242, flags: SYN, options: WINDOWS_SYN });
    const records: SegmentRecord[] = [
      { at: 0, segment: syn },
      { at: 1 * MS, segment: fromServer({ seq: 0, ack: 4243, flags: RST | ACK, window: 0 }) },
      { at: 500 * MS, segment: syn },
    ];
    const packets = expectCleanDecode(writeTempPcap('same-isn', pcapFromSegments(records)), 3);
    expect(flagged(packets)).toEqual([[3, ['retransmission']]]);
  });

  itWithTshark('a pcap with a broken TCP checksum → expectCleanDecode names the frame', () => {
    const writer = new PcapWriter();
    const { fromClient } = conversation('10.0.0.1', '10.0.0.2', 1);
    const packet = encodeSegment(fromClient({ flags: SYN }));
    const last = packet.length - 1; // the urgent pointer's low byte, covered by the checksum
    packet[last] = (packet[last] ?? 0) ^ 0x01;
    writer.add(0, packet);
    const path = writeTempPcap('bad-checksum', writer.bytes());
    expect(() => expectCleanDecode(path)).toThrow(/frame 1: TCP checksum status 0/);
  });
});
