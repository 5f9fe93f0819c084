/**
 * The receive side of one connection: in-order bytes the user has not read yet, and out-of-order
 * segments held until the gap before them fills (RFC 9293 §3.10.7.4 "seventh": segments with
 * higher beginning sequence numbers "may be held for later processing").
 *
 * Choice: out-of-order data is buffered, not dropped. The bound is the receive window: the
 * connection passes only bytes inside the window it advertised (RCV.NXT up to the right edge),
 * and the right edge is never more than the receive buffer past the unread data, so in-order plus
 * out-of-order bytes never exceed the profile's `receiveBuffer`. Overlaps are trimmed on insert, so
 * duplicated and re-ordered segments are stored once; a segment that brings nothing new is
 * reported as a duplicate. Chunks are views of the segments' data (the sender never writes to
 * them again, segment.ts), so nothing is copied until `read` joins chunks. Allocated lazily.
 */
import { assert } from '../sim/index.ts';
import { seqAdd, seqDiff, seqGt, seqLe, seqLt } from './segment.ts';
import { dropFront } from './chunks.ts';

const EMPTY = new Uint8Array(0);

/** What an insert did: the new RCV.NXT and whether the bytes were new, early, or duplicates. */
export type InsertVerdict = 'in-order' | 'out-of-order' | 'duplicate';

export class ReceiveBuffer {
  readonly #chunks: Uint8Array[] = [];
  #head = 0;
  /** In-order bytes not yet read. */
  unread = 0;
  /** Out-of-order pieces, sorted by sequence number, non-overlapping, all after RCV.NXT. */
  readonly #oooSeqs: number[] = [];
  readonly #oooData: Uint8Array[] = [];
  oooBytes = 0;
  /** RCV.NXT after the latest insert. */
  rcvNxt: number;

  constructor(rcvNxt: number) {
    this.rcvNxt = rcvNxt;
  }

  /** Adds bytes that start at `seq` (already cut to the window's right edge). */
  insert(seq: number, data: Uint8Array): InsertVerdict {
    const behind = seqDiff(this.rcvNxt, seq);
    if (behind >= data.length) return 'duplicate';
    if (behind > 0) {
      data = data.subarray(behind);
      seq = this.rcvNxt;
    }
    if (seq === this.rcvNxt) {
      this.#append(data);
      this.#drainOutOfOrder();
      return 'in-order';
    }
    return this.#holdOutOfOrder(seq, data) ? 'out-of-order' : 'duplicate';
  }

  /** Up to `max` in-order bytes, removed from the buffer (empty when none). */
  read(max: number): Uint8Array {
    const out = this.peek(max);
    this.#consume(out.length);
    return out;
  }

  /** Up to `max` in-order bytes, left in the buffer (empty when none). */
  peek(max: number): Uint8Array {
    const count = Math.min(max, this.unread);
    if (count === 0) return EMPTY;
    const first = this.#chunks[0] as Uint8Array;
    let out: Uint8Array;
    if (this.#head + count <= first.length) {
      out = first.subarray(this.#head, this.#head + count);
    } else {
      out = new Uint8Array(count);
      let filled = 0;
      let index = 0;
      let offset = this.#head;
      while (filled < count) {
        const chunk = this.#chunks[index++] as Uint8Array;
        const part = chunk.subarray(offset, Math.min(chunk.length, offset + count - filled));
        out.set(part, filled);
        filled += part.length;
        offset = 0;
      }
    }
    return out;
  }

  #append(data: Uint8Array): void {
    this.#chunks.push(data);
    this.unread += data.length;
    this.rcvNxt = seqAdd(this.rcvNxt, data.length);
  }

  #drainOutOfOrder(): void {
    while (this.#oooSeqs.length > 0 && seqLe(this.#oooSeqs[0] as number, this.rcvNxt)) {
      const seq = this.#oooSeqs.shift() as number;
      const data = this.#oooData.shift() as Uint8Array;
      this.oooBytes -= data.length;
      const behind = seqDiff(this.rcvNxt, seq);
      if (behind < data.length) this.#append(data.subarray(behind));
    }
  }

  /** Stores the parts of [seq, seq+len) no held piece covers; true when anything was new. */
  #holdOutOfOrder(seq: number, data: Uint8Array): boolean {
    const end = seqAdd(seq, data.length);
    let cursor = seq;
    let stored = false;
    let index = 0;
    while (index < this.#oooSeqs.length && seqLt(cursor, end)) {
      const pieceSeq = this.#oooSeqs[index] as number;
      const pieceEnd = seqAdd(pieceSeq, (this.#oooData[index] as Uint8Array).length);
      if (seqLe(pieceEnd, cursor)) {
        index++;
        continue;
      }
      if (seqGt(pieceSeq, cursor)) {
        const stop = seqLt(pieceSeq, end) ? pieceSeq : end;
        this.#insertPiece(index, cursor, data.subarray(seqDiff(cursor, seq), seqDiff(stop, seq)));
        stored = true;
        index++;
      }
      if (seqGt(pieceEnd, cursor)) cursor = pieceEnd;
      index++;
    }
    if (seqLt(cursor, end)) {
      this.#insertPiece(index, cursor, data.subarray(seqDiff(cursor, seq)));
      stored = true;
    }
    return stored;
  }

  #insertPiece(index: number, seq: number, data: Uint8Array): void {
    assert(data.length > 0, 'empty out-of-order piece');
    this.#oooSeqs.splice(index, 0, seq);
    this.#oooData.splice(index, 0, data);
    this.oooBytes += data.length;
  }

  #consume(count: number): void {
    this.unread -= count;
    this.#head = dropFront(this.#chunks, this.#head, count);
  }
}
