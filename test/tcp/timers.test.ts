/** The stack's timer heap (timers.ts): earliest first, ties by connection id, moves and removals. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Connection } from '../../src/tcp/connection.ts';
import { TimerHeap } from '../../src/tcp/timers.ts';

function fake(id: number): Connection {
  return { id, timerAt: Infinity, heapIndex: -1 } as unknown as Connection;
}

describe('tcp: timer heap', () => {
  it('pops in (time, id) order whatever the sets, moves and removals (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 19 }), fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(-1))), { maxLength: 200 }),
      (operations) => {
        const heap = new TimerHeap();
        const connections = Array.from({ length: 20 }, (_, id) => fake(id));
        const model = new Map<number, number>();
        for (const [id, at] of operations) {
          const connection = connections[id] as Connection;
          if (at < 0) {
            heap.remove(connection);
            model.delete(id);
          } else {
            heap.set(connection, at);
            model.set(id, at);
          }
        }
        const expected = [...model.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]).map(([id]) => id);
        const popped: number[] = [];
        for (let first = heap.peek(); first !== undefined; first = heap.peek()) {
          popped.push(first.id);
          heap.remove(first);
          expect(first.heapIndex).toBe(-1);
        }
        expect(popped).toEqual(expected);
      },
    ), { seed: 7, numRuns: 300 });
  });
});
