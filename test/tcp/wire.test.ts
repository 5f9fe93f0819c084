/**
 * Tests of src/tcp/wire.ts: header layout and option order byte for byte
 * (docs/tcp.md#ipv4-ipv6-and-tcp-encoding), encode → decode round trips for IPv4 and IPv6 with
 * every option set, and checksums checked against an independent, deliberately naive computation
 * and against known answers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../src/sim/index.ts';
import { ACK, FIN, PSH, RST, SYN, type Segment, type TcpOptions } from '../../src/tcp/segment.ts';
import {
  decodePacket,
  decodeSegment,
  encodeSegment,
  internetChecksum,
  ipv4HeaderChecksum,
  tcpChecksum,
} from '../../src/tcp/wire.ts';


const NO_DATA = new Uint8Array(0);
const FULL_MSS = new Uint8Array(1460).fill(7);

/**
 * A segment template: only the interesting fields change per test
 * (docs/design.md#how-tests-are-written).
 */
function segment(fields: Partial<Segment> = {}): Segment {
  return {
    source: '10.0.0.1',
    target: '10.0.0.2',
    sourcePort: 49152,
    targetPort: 80,
    seq: 1000,
    ack: 0,
    flags: SYN,
    window: 64240,
    options: {},
    data: NO_DATA,
    ...fields,
  };
}

const WINDOWS_SYN: TcpOptions = { mss: 1460, windowScale: 8, sackPermitted: true };
const LINUX_SYN: TcpOptions = {
  mss: 1460,
  windowScale: 7,
  sackPermitted: true,
  timestamp: { value: 0x01020304, echo: 0 },
};

/** Every combination of the four options (16 sets). */
const OPTION_SETS: TcpOptions[] = [];
for (let mask = 0; mask < 16; mask++) {
  OPTION_SETS.push({
    ...(mask & 1 ? { mss: 1220 } : {}),
    ...(mask & 2 ? { windowScale: 14 } : {}),
    ...(mask & 4 ? { sackPermitted: true } : {}),
    ...(mask & 8 ? { timestamp: { value: 0xfffffffe, echo: 12345 } } : {}),
  });
}

const ADDRESS_PAIRS = [
  ['10.0.0.1', '192.168.255.254'],
  ['fd00::1', '2001:db8:85a3::8a2e:370:7334'],
] as const;

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

function flipLowBit(packet: Uint8Array, index: number): void {
  packet[index] = (packet[index] ?? 0) ^ 0x01;
}

function tcpOptionBytes(packet: Uint8Array): number[] {
  const ipLength = packet[0] === 0x45 ? 20 : 40;
  const dataOffset = ((packet[ipLength + 12] ?? 0) >> 4) * 4;
  return [...packet.subarray(ipLength + 20, ipLength + dataOffset)];
}

/**
 * The TCP checksum computed the slow, obvious way, independently of wire.ts: build the
 * pseudo-header as its own buffer, concatenate it with the TCP segment (checksum zeroed) and
 * a pad byte, add 16-bit words as BigInt, fold, invert.
 */
function naiveTcpChecksum(packet: Uint8Array): number {
  const isIpv4 = packet[0] === 0x45;
  const ipLength = isIpv4 ? 20 : 40;
  const tcp = Uint8Array.from(packet.subarray(ipLength));
  tcp[16] = 0;
  tcp[17] = 0;
  const pseudo = isIpv4
    ? [...packet.subarray(12, 20), 0, 6, tcp.length >> 8, tcp.length & 0xff]
    : [
        ...packet.subarray(8, 40),
        (tcp.length >>> 24) & 0xff, (tcp.length >>> 16) & 0xff, (tcp.length >>> 8) & 0xff,
        tcp.length & 0xff, 0, 0, 0, 6,
      ];
  const all = [...pseudo, ...tcp];
  if (all.length % 2 === 1) all.push(0);
  let sum = 0n;
  for (let index = 0; index < all.length; index += 2) {
    sum += BigInt(((all[index] ?? 0) << 8) | (all[index + 1] ?? 0));
  }
  while (sum > 0xffffn) sum = (sum & 0xffffn) + (sum >> 16n);
  return Number(~sum & 0xffffn);
}

describe('tcp: wire encoding of IPv4 headers', () => {
  it('a Windows SYN → 0x45, total length 52, DF, TTL 64, protocol 6, valid checksum', () => {
    const packet = encodeSegment(segment({ options: WINDOWS_SYN }), { identification: 0x1234 });
    expect(packet.length).toBe(20 + 32);
    expect([...packet.subarray(0, 10)]).toEqual([
      0x45, 0x00, 0x00, 52, 0x12, 0x34, 0x40, 0x00, 64, 6,
    ]);
    expect([...packet.subarray(12, 20)]).toEqual([10, 0, 0, 1, 10, 0, 0, 2]);
    expect(internetChecksum(packet, 0, 20)).toBe(0); // a header with its checksum sums to 0xffff
    expect((packet[10]! << 8) | packet[11]!).toBe(ipv4HeaderChecksum(packet));
  });

  it('a Windows SYN → options MSS, NOP, WS, NOP, NOP, SACK_PERM and data offset 8', () => {
    const packet = encodeSegment(segment({ options: WINDOWS_SYN }));
    expect(packet[20 + 12]).toBe(8 << 4);
    expect(packet[20 + 13]).toBe(SYN);
    expect(tcpOptionBytes(packet)).toEqual([2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2]);
  });

  it('TCP header fields sit at their RFC 9293 offsets (ports, seq, ack, flags, window)', () => {
    const packet = encodeSegment(
      segment({ seq: 0xdeadbeef, ack: 0x01020304, flags: ACK | PSH, window: 0xabcd }),
    );
    expect([...packet.subarray(20, 40)]).toEqual([
      0xc0, 0x00, 0x00, 80, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04,
      5 << 4, ACK | PSH, 0xab, 0xcd, packet[36], packet[37], 0, 0,
    ]);
  });

  it('identification and TTL come from the caller (counter 65535, TTL 128)', () => {
    const packet = decodePacket(encodeSegment(segment(), { identification: 65535, hopLimit: 128 }));
    expect(packet.identification).toBe(65535);
    expect(packet.hopLimit).toBe(128);
    expect(packet.version).toBe(4);
  });
});

describe('tcp: wire encoding of IPv6 headers', () => {
  const v6 = { source: 'fd00::1', target: 'fd00::2' };

  it('a Linux SYN → version 6, payload length 40, next header 6, hop limit 64', () => {
    const packet = encodeSegment(segment({ ...v6, options: LINUX_SYN }));
    expect(packet.length).toBe(40 + 40);
    expect([...packet.subarray(0, 8)]).toEqual([0x60, 0, 0, 0, 0, 40, 6, 64]);
    expect([...packet.subarray(8, 24)]).toEqual([0xfd, 0, ...new Array(13).fill(0), 1]);
    expect([...packet.subarray(24, 40)]).toEqual([0xfd, 0, ...new Array(13).fill(0), 2]);
  });

  it('a Linux SYN → options MSS, SACK_PERM, TS, NOP, WS and data offset 10', () => {
    const packet = encodeSegment(segment({ ...v6, options: LINUX_SYN }));
    expect(packet[40 + 12]).toBe(10 << 4);
    expect(tcpOptionBytes(packet)).toEqual([
      2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7,
    ]);
  });

  it('a data segment with timestamps → NOP, NOP, TS', () => {
    const packet = encodeSegment(
      segment({ ...v6, flags: ACK, options: { timestamp: { value: 7, echo: 9 } } }),
    );
    expect(tcpOptionBytes(packet)).toEqual([1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9]);
  });

  it('the windows layout with timestamps → MSS, NOP, WS, SACK_PERM, TS', () => {
    const packet = encodeSegment(segment({ options: LINUX_SYN }), { optionLayout: 'windows' });
    expect(tcpOptionBytes(packet)).toEqual([
      2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0,
    ]);
  });

  it('linux without timestamps → MSS, NOP, WS, NOP, NOP, SACK_PERM (same as windows)', () => {
    const packet = encodeSegment(segment({ options: WINDOWS_SYN }), { optionLayout: 'linux' });
    expect(tcpOptionBytes(packet)).toEqual([2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2]);
  });
});

describe('tcp: wire round trip', () => {
  for (const [source, target] of ADDRESS_PAIRS) {
    OPTION_SETS.forEach((options, index) => {
      const name = `${source}, option set ${index}: ${JSON.stringify(options)}`;
      it(`decode(encode(s)) equals s (${name})`, () => {
        for (const data of [NO_DATA, bytes(1), bytes(1, 2, 3, 4, 5), FULL_MSS]) {
          const fields = { source, target, flags: SYN | ACK, ack: 0xffffffff, options, data };
          const original = segment(fields);
          const packet = encodeSegment(original);
          expect(decodeSegment(packet)).toEqual(original);
        }
      });
    });
  }

  it('decode(encode(s)) equals s for arbitrary segments (fast-check, seed 0x5eed)', () => {
    const options = fc.record(
      {
        mss: fc.integer({ min: 0, max: 0xffff }),
        windowScale: fc.integer({ min: 0, max: 14 }),
        sackPermitted: fc.constant(true),
        timestamp: fc.record({
          value: fc.integer({ min: 0, max: 0xffffffff }),
          echo: fc.integer({ min: 0, max: 0xffffffff }),
        }),
      },
      { requiredKeys: [] },
    );
    const arbitrary = fc.record({
      family: fc.constantFrom(0, 1),
      sourcePort: fc.integer({ min: 0, max: 0xffff }),
      targetPort: fc.integer({ min: 0, max: 0xffff }),
      seq: fc.integer({ min: 0, max: 0xffffffff }),
      ack: fc.integer({ min: 0, max: 0xffffffff }),
      flags: fc.integer({ min: 0, max: 0xff }),
      window: fc.integer({ min: 0, max: 0xffff }),
      options,
      data: fc.uint8Array({ maxLength: 300 }),
      layout: fc.constantFrom('windows' as const, 'linux' as const),
    });
    fc.assert(
      fc.property(arbitrary, ({ family, layout, ...fields }) => {
        const [source, target] = ADDRESS_PAIRS[family]!;
        const original: Segment = { source, target, ...fields };
        const packet = encodeSegment(original, { optionLayout: layout });
        expect(decodeSegment(packet)).toEqual(original);
        expect(tcpChecksum(packet)).toBe(naiveTcpChecksum(packet));
      }),
      { seed: 0x5eed, numRuns: 300 },
    );
  });

  it('decode gives canonical IPv6 text (FD00:0:0::0001 → fd00::1)', () => {
    const packet = encodeSegment(segment({ source: 'FD00:0:0::0001', target: '::ffff:10.0.0.2' }));
    expect(decodeSegment(packet).source).toBe('fd00::1');
    expect(decodeSegment(packet).target).toBe('::ffff:10.0.0.2');
  });

  it('decoded data is the payload after the options (view, 3 bytes)', () => {
    const packet = encodeSegment(segment({ options: LINUX_SYN, data: bytes(9, 8, 7) }));
    const decoded = decodeSegment(packet);
    expect([...decoded.data]).toEqual([9, 8, 7]);
  });
});

describe('tcp: wire checksums', () => {
  it('RFC 1071 §3 example: words 0001 f203 f4f5 f6f7 → sum ddf2, checksum 220d', () => {
    expect(internetChecksum(bytes(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7))).toBe(0x220d);
  });

  it('known IPv4 header (192.168.0.1 → 192.168.0.199, UDP, 115 bytes) → checksum b861', () => {
    const header = bytes(
      0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
      0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
    );
    expect(ipv4HeaderChecksum(header)).toBe(0xb861);
    header[10] = 0xb8;
    header[11] = 0x61;
    expect(ipv4HeaderChecksum(header)).toBe(0xb861); // the stored field is ignored
    expect(internetChecksum(header)).toBe(0);
  });

  it('an odd-length payload is padded with a zero byte (IPv4 and IPv6, 1–7 bytes)', () => {
    for (const [source, target] of ADDRESS_PAIRS) {
      for (let length = 1; length <= 7; length++) {
        const data = new Uint8Array(length).fill(0xff);
        const packet = encodeSegment(segment({ source, target, flags: ACK | PSH, data }));
        const ipLength = source.includes(':') ? 40 : 20;
        const stored = (packet[ipLength + 16]! << 8) | packet[ipLength + 17]!;
        expect(stored).toBe(naiveTcpChecksum(packet));
      }
    }
  });

  it('every option set over both families → stored checksum equals the naive one', () => {
    for (const [source, target] of ADDRESS_PAIRS) {
      for (const options of OPTION_SETS) {
        const packet = encodeSegment(segment({ source, target, options, data: bytes(1, 2, 3) }));
        expect(tcpChecksum(packet)).toBe(naiveTcpChecksum(packet));
        const ipLength = source.includes(':') ? 40 : 20;
        const stored = (packet[ipLength + 16]! << 8) | packet[ipLength + 17]!;
        expect(stored).toBe(naiveTcpChecksum(packet));
      }
    }
  });

  it('a flipped payload bit → decode fails its TCP checksum assertion', () => {
    const packet = encodeSegment(segment({ flags: ACK, data: bytes(1, 2, 3) }));
    flipLowBit(packet, packet.length - 1);
    expect(() => decodeSegment(packet)).toThrow(/bad TCP checksum/);
  });

  it('a flipped TTL bit → decode fails its IPv4 header checksum assertion', () => {
    const packet = encodeSegment(segment());
    flipLowBit(packet, 8);
    expect(() => decodeSegment(packet)).toThrow(/bad IPv4 header checksum/);
  });
});

describe('tcp: wire encoding of bad segments', () => {
  const cases: [string, Partial<Segment>][] = [
    ['mixed families', { target: 'fd00::2' }],
    ['malformed IPv4', { source: '10.0.0.256' }],
    ['IPv4 with a leading zero', { source: '10.0.0.01' }],
    ['malformed IPv6', { source: 'fd00::1::2' }],
    ['IPv6 with a zone', { source: 'fe80::1%eth0', target: 'fe80::2' }],
    ['seq of 2^32', { seq: 2 ** 32 }],
    ['negative ack', { ack: -1 }],
    ['window above 16 bits', { window: 65536 }],
    ['port above 16 bits', { targetPort: 65536 }],
    ['window scale 15', { options: { windowScale: 15 } }],
    ['fractional MSS', { options: { mss: 1460.5 } }],
  ];
  for (const [name, fields] of cases) {
    it(`${name} → AssertionError`, () => {
      expect(() => encodeSegment(segment(fields))).toThrow(AssertionError);
    });
  }

  it('an IPv4 packet over 65535 bytes → AssertionError', () => {
    expect(() => encodeSegment(segment({ data: new Uint8Array(65535 - 40 + 1) }))).toThrow(
      AssertionError,
    );
  });

  it('FIN, RST and every other flag bit pass through unchanged (0xff)', () => {
    const decoded = decodeSegment(encodeSegment(segment({ flags: 0xff })));
    expect(decoded.flags & (FIN | RST)).toBe(FIN | RST);
    expect(decoded.flags).toBe(0xff);
  });
});
