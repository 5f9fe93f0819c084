/**
 * The send side of one connection: bytes the user handed to `send()` that the peer has not yet
 * acknowledged, kept as the user's own Uint8Arrays (no copy; segments are views into them), and
 * the bookkeeping that completes each send when its last byte is acknowledged — WskSend completes
 * when its bytes are acknowledged (docs/policies.md#data-path-policies).
 *
 * Offsets are counted from SND.UNA: offset 0 is the oldest unacknowledged byte. Allocated lazily,
 * on the first send or shutdown, so idle connections pay nothing for it
 * (docs/design.md#performance-metrics).
 */
import { assert } from '../sim/index.ts';
import { dropFront } from './chunks.ts';

const EMPTY = new Uint8Array(0);

export class SendBuffer {
  /** Unacknowledged chunks, oldest first; `head` bytes of the first are already acknowledged. */
  readonly #chunks: Uint8Array[] = [];
  #head = 0;
  /** Bytes buffered from SND.UNA on (sent or not). */
  length = 0;
  /** Bytes ever queued, and bytes ever acknowledged: stream offsets that never wrap. */
  #queuedTotal = 0;
  #ackedTotal = 0;
  /** Stream offset at which each not-yet-completed request (send or FIN) ends, oldest first. */
  readonly #ends: number[] = [];
  /** Id of the request `#ends[0]` belongs to. */
  #firstPendingId = 1;
  /** Id the next request gets. */
  nextId = 1;

  /** Queues bytes (kept by reference) and returns the id of this send request. */
  push(bytes: Uint8Array): number {
    if (bytes.length > 0) this.#chunks.push(bytes);
    this.length += bytes.length;
    this.#queuedTotal += bytes.length;
    this.#ends.push(this.#queuedTotal);
    return this.nextId++;
  }

  /**
   * Registers the FIN as a request that completes when it is acknowledged: it ends one past the
   * last data byte, because the FIN occupies a sequence number (RFC 9293 §3.4).
   */
  pushFin(): number {
    this.#ends.push(this.#queuedTotal + 1);
    return this.nextId++;
  }

  /**
   * Drops `dataBytes` acknowledged bytes (plus the FIN when `finAcked`) and returns the id of
   * the last request now complete, or 0 when none completed.
   */
  acknowledge(dataBytes: number, finAcked: boolean): number {
    assert(dataBytes >= 0, `acknowledge ${dataBytes} bytes`);
    assert(dataBytes <= this.length, `acknowledge ${dataBytes} of ${this.length} buffered bytes`);
    this.#drop(dataBytes);
    this.#ackedTotal += dataBytes;
    const reach = this.#ackedTotal + (finAcked ? 1 : 0);
    let completed = 0;
    while (this.#ends.length > 0 && (this.#ends[0] as number) <= reach) {
      this.#ends.shift();
      completed = this.#firstPendingId++;
    }
    return completed;
  }

  /** `count` bytes starting `offset` bytes after SND.UNA: a view when they lie in one chunk. */
  slice(offset: number, count: number): Uint8Array {
    assert(offset + count <= this.length, `slice ${offset}+${count} beyond ${this.length} bytes`);
    if (count === 0) return EMPTY;
    let skip = offset + this.#head;
    let index = 0;
    let chunk = this.#chunks[0] as Uint8Array;
    while (skip >= chunk.length) {
      skip -= chunk.length;
      chunk = this.#chunks[++index] as Uint8Array;
    }
    if (skip + count <= chunk.length) return chunk.subarray(skip, skip + count);
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const part = chunk.subarray(skip, Math.min(chunk.length, skip + count - filled));
      out.set(part, filled);
      filled += part.length;
      skip = 0;
      chunk = this.#chunks[++index] as Uint8Array;
    }
    return out;
  }

  /** Requests not yet complete. */
  get pendingRequests(): number {
    return this.#ends.length;
  }

  #drop(count: number): void {
    this.length -= count;
    this.#head = dropFront(this.#chunks, this.#head, count);
  }
}
