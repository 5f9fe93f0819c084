/** The send buffer (send-buffer.ts): views by offset, acknowledgement, request completion. */
import { describe, expect, it } from 'vitest';
import { SendBuffer } from '../../src/tcp/send-buffer.ts';

describe('tcp: send buffer', () => {
  it('slices within a chunk are views; across chunks they are copies of the right bytes', () => {
    const a = Uint8Array.of(1, 2, 3, 4);
    const b = Uint8Array.of(5, 6, 7);
    const buffer = new SendBuffer();
    expect(buffer.push(a)).toBe(1);
    expect(buffer.push(b)).toBe(2);
    expect(buffer.length).toBe(7);
    const view = buffer.slice(1, 2);
    expect(view).toEqual(Uint8Array.of(2, 3));
    expect(view.buffer).toBe(a.buffer);
    expect(buffer.slice(2, 4)).toEqual(Uint8Array.of(3, 4, 5, 6));
  });

  it('requests complete in order when their last byte (or the FIN) is acknowledged', () => {
    const buffer = new SendBuffer();
    buffer.push(new Uint8Array(10));
    buffer.push(new Uint8Array(0));
    buffer.push(new Uint8Array(5));
    expect(buffer.pushFin()).toBe(4);
    expect(buffer.acknowledge(9, false)).toBe(0);
    expect(buffer.acknowledge(1, false)).toBe(2);
    expect(buffer.slice(0, 5)).toEqual(new Uint8Array(5));
    expect(buffer.acknowledge(5, false)).toBe(3);
    expect(buffer.pendingRequests).toBe(1);
    expect(buffer.acknowledge(0, true)).toBe(4);
    expect(buffer.length).toBe(0);
  });
});
