/**
 * The C driver's heap (src/cdriver/linear-heap.ts): first fit in address order, blocks zeroed,
 * freed blocks quarantined before reuse, memory grown by whole pages when nothing fits, every
 * allocation and free told to the observer (the shadow map's seam).
 */
import { describe, expect, it } from 'vitest';
import { LinearHeap, type GrowableMemory } from '../../src/cdriver/linear-heap.ts';

const PAGE = 64 * 1024;

function memory(pages: number, maxPages = 64): GrowableMemory & { grown: number } {
  let bytes = new Uint8Array(pages * PAGE);
  const m = {
    grown: 0,
    bytes: () => bytes,
    grow: (more: number) => {
      if (bytes.length / PAGE + more > maxPages) return false;
      const next = new Uint8Array(bytes.length + more * PAGE);
      next.set(bytes);
      bytes = next;
      m.grown += more;
      return true;
    },
  };
  return m;
}

describe('cdriver: linear heap', () => {
  it('the same calls give the same addresses: 16-aligned, a 16-byte gap before the first and after each block', () => {
    const run = (): number[] => {
      const heap = new LinearHeap(memory(1), 1000);
      return [heap.allocate(1, 'pool'), heap.allocate(40, 'irp'), heap.allocate(16, 'pool')];
    };
    expect(run()).toEqual([1024, 1056, 1120]);
    expect(run()).toEqual(run());
  });

  it('a freed block is quarantined (not handed out again at once) and zeroed when reused', () => {
    const m = memory(1);
    const heap = new LinearHeap(m, 16);
    const a = heap.allocate(32, 'pool');
    m.bytes().fill(0xcc, a, a + 32);
    expect(heap.free(a)).toBe(true);
    expect(heap.free(a)).toBe(false);
    const b = heap.allocate(32, 'pool');
    expect(b).not.toBe(a);
    expect(heap.kindAt(a)).toBeUndefined();
    expect(heap.kindAt(b)).toBe('pool');
  });

  it('nothing fits → the memory grows by whole pages; past the maximum → 0', () => {
    const m = memory(1, 4);
    const heap = new LinearHeap(m, 16);
    const big = heap.allocate(2 * PAGE, 'pool');
    expect(big).toBe(32);
    expect(m.grown).toBe(2);
    expect(m.bytes().length).toBe(3 * PAGE);
    expect(heap.allocate(8 * PAGE, 'pool')).toBe(0);
  });

  it('tells the observer of every allocation and free, with the size asked for', () => {
    const seen: string[] = [];
    const heap = new LinearHeap(memory(1), 16);
    heap.observer = {
      allocated: (address, size, kind) => void seen.push(`+${address} ${size} ${kind}`),
      freed: (address, size, kind) => void seen.push(`-${address} ${size} ${kind}`),
    };
    const a = heap.allocate(5, 'pool');
    heap.free(a);
    expect(seen).toEqual(['+32 5 pool', '-32 32 pool']);
  });

  it('a block that does not fit grows the memory rather than reuse a quarantined block', () => {
    const m = memory(1, 2);
    const heap = new LinearHeap(m, 16);
    const size = 48_000;
    const a = heap.allocate(size, 'pool');
    heap.free(a);
    // Nothing else fits in the first page: the second page, not the quarantined block.
    const b = heap.allocate(size, 'pool');
    expect(m.grown).toBe(1);
    expect(b).toBe(a + size + 16);
    expect(heap.quarantineDrainedEarly).toBe(0);
    // At the maximum, the quarantine gives its oldest block back early, and says so.
    expect(heap.allocate(size, 'pool')).toBe(a);
    expect(heap.quarantineDrainedEarly).toBe(1);
  });
});
