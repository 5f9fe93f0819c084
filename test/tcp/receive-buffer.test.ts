/**
 * Reassembly (receive-buffer.ts): whatever the order, duplication and overlap of the pieces, the
 * bytes read are the stream, in order, each once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReceiveBuffer } from '../../src/tcp/receive-buffer.ts';

const START = -7; // near the wrap of signed 32-bit sequence numbers on purpose: 0x7ffffff9 below
const BASE = 0x7ffffff9 | 0;

function stream(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);
}

describe('tcp: receive buffer', () => {
  it('in order → readable at once; out of order → held until the gap fills; duplicates → reported', () => {
    const data = stream(30);
    const buffer = new ReceiveBuffer(BASE);
    expect(buffer.insert((BASE + 10) | 0, data.subarray(10, 20))).toBe('out-of-order');
    expect(buffer.unread).toBe(0);
    expect(buffer.oooBytes).toBe(10);
    expect(buffer.insert((BASE + 10) | 0, data.subarray(10, 20))).toBe('duplicate');
    expect(buffer.insert(BASE, data.subarray(0, 10))).toBe('in-order');
    expect(buffer.unread).toBe(20);
    expect(buffer.rcvNxt).toBe((BASE + 20) | 0);
    expect(buffer.insert(BASE, data.subarray(0, 15))).toBe('duplicate');
    expect(buffer.insert((BASE + 15) | 0, data.subarray(15, 30))).toBe('in-order');
    expect(buffer.read(7)).toEqual(data.subarray(0, 7));
    expect(buffer.read(100)).toEqual(data.subarray(7, 30));
    expect(buffer.read(100)).toEqual(new Uint8Array(0));
  });

  it('any order, duplication and overlap of pieces reassembles the stream exactly (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 400 }),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 60 })), { minLength: 1, maxLength: 60 }),
      fc.array(fc.nat({ max: 100 }), { maxLength: 10 }),
      (length, cuts, readSizes) => {
        const data = stream(length);
        // Random pieces plus a cover of the whole stream, delivered in a shuffled order.
        const pieces = cuts.map(([start, size]) => [start % length, Math.min(length, (start % length) + size)] as const);
        for (let i = 0; i < length; i += 50) pieces.push([i, Math.min(length, i + 50)] as const);
        const order = pieces.map((piece, i) => ({ piece, key: (i * 7919 + cuts.length) % 97 })).sort((a, b) => a.key - b.key || 0);
        const buffer = new ReceiveBuffer(START);
        const out: number[] = [];
        let reads = 0;
        for (const { piece: [from, to] } of order) {
          buffer.insert((START + from) | 0, data.subarray(from, to));
          const size = readSizes[reads++ % Math.max(1, readSizes.length)] ?? 1000;
          out.push(...buffer.read(size));
        }
        out.push(...buffer.read(length));
        expect(Uint8Array.from(out)).toEqual(data);
        expect(buffer.oooBytes).toBe(0);
        expect(buffer.rcvNxt).toBe((START + length) | 0);
      },
    ), { seed: 42, numRuns: 300 });
  });
});
