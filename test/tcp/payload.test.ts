/** Segments on the wire (payload.ts, segment.ts): description, size, digest, sequence arithmetic. */
import { describe, expect, it } from 'vitest';
import { NO_OPTIONS, TcpSegment, optionBytes } from '../../src/tcp/payload.ts';
import { ACK, FIN, PSH, RST, SYN, flagNames, seqAdd, seqGt, seqLt, segmentLength } from '../../src/tcp/segment.ts';

function segment(flags: number, options = NO_OPTIONS, data = new Uint8Array(0), target = '10.0.0.2'): TcpSegment {
  return new TcpSegment('10.0.0.1', target, 49152, 80, 1000, 5001, flags, 64240, options, data, 1000, 5000);
}

describe('tcp: segments', () => {
  it('describe() shows flags, relative seq/ack and options as the profile sends them', () => {
    expect(segment(SYN, { mss: 1460, windowScale: 8, sackPermitted: true }).describe())
      .toBe('SYN 49152→80 seq=0 win=64240 <mss 1460,sackOK,wscale 8>');
    expect(segment(ACK | PSH, NO_OPTIONS, new Uint8Array(10)).describe()).toBe('PSH,ACK 49152→80 seq=0 ack=1 win=64240 len=10');
    expect(segment(RST | ACK).describe()).toBe('RST,ACK 49152→80 seq=0 ack=1 win=64240');
  });

  it('bytes = IP header (20 or 40) + TCP header with padded options + data', () => {
    expect(segment(SYN, { mss: 1460, windowScale: 8, sackPermitted: true }).bytes).toBe(20 + 20 + 12);
    expect(segment(SYN, { mss: 1460, windowScale: 7, sackPermitted: true, timestamp: { value: 1, echo: 0 } }).bytes).toBe(20 + 20 + 20);
    expect(segment(ACK, { timestamp: { value: 1, echo: 2 } }).bytes).toBe(20 + 20 + 12);
    expect(segment(ACK, NO_OPTIONS, new Uint8Array(1460), 'fd00::2').bytes).toBe(40 + 20 + 1460);
    expect(optionBytes({ mss: 536 })).toBe(4);
  });

  it('the digest changes with the fields; seq and ack are unsigned 32-bit', () => {
    const a = new TcpSegment('a', 'b', 1, 2, -1, -2, ACK, 1, NO_OPTIONS, new Uint8Array(0), 0, 0);
    expect(a.seq).toBe(0xffffffff);
    expect(a.ack).toBe(0xfffffffe);
    expect(segment(ACK).digest).not.toBe(segment(ACK | FIN).digest);
  });

  it('sequence arithmetic wraps modulo 2^32; SEG.LEN counts SYN and FIN', () => {
    expect(seqGt(seqAdd(0x7fffffff, 1), 0x7fffffff)).toBe(true);
    expect(seqLt(-1, 1)).toBe(true);
    expect(seqGt(-0x7fffffff, 0x7ffffff0)).toBe(true);
    expect(segmentLength(segment(SYN | FIN, NO_OPTIONS, new Uint8Array(3)))).toBe(5);
    expect(flagNames(SYN | ACK)).toBe('SYN,ACK');
    expect(flagNames(0)).toBe('none');
  });
});
