/**
 * The byte queue both buffers keep (send-buffer.ts, receive-buffer.ts): a list of chunks, the
 * first of which starts `head` bytes in. Dropping from the front releases whole chunks and moves
 * `head` into the next one, so no bytes are copied.
 */

/** Drops `count` bytes from the front; returns the new offset into the (new) first chunk. */
export function dropFront(chunks: Uint8Array[], head: number, count: number): number {
  let left = count + head;
  while (left > 0) {
    const first = chunks[0] as Uint8Array;
    if (left < first.length) break;
    left -= first.length;
    chunks.shift();
  }
  return left;
}
