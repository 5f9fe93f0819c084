/**
 * The trace: typed records stamped with virtual time
 * (docs/design.md#simulation-core-time-queue-choices-and-trace). Every record is folded into a
 * 64-bit trace hash as it is emitted, which is cheap enough to do always; the records themselves
 * are kept only when asked (`keep`), apart from a short ring of the latest ones that failure
 * reports quote. Records are flat objects of strings, numbers and booleans so that the hash and the
 * JSON-lines format need no per-type code; which records exist, and their fields, is the
 * catalogue's business (records.ts).
 *
 * A reader may listen to every record as it is emitted (`onRecord`: a campaign's coverage map,
 * src/explore/coverage-map.ts) without keeping them all; without one the hot path pays one null
 * check.
 *
 * One field name is display-only: `info` (a payload's description, a human note) is printed and
 * kept but never hashed, so a layer may fill it only when records are kept and the hash stays
 * the same either way. What a run decided must be in the other fields.
 */
import type { FlatRecord, TraceRecord } from './records.ts';
import { formatInstant } from './time.ts';

const TAIL_LENGTH = 64;
/** Distinct strings whose hashes are remembered; past that they are hashed each time. */
const TEXT_HASH_CACHE = 4096;
/**
 * The remembered hashes, shared by every trace: a string's hash depends on the string alone, and a
 * campaign's runs emit the same strings again (83 distinct ones over 100 runs of a fuzz scenario),
 * so a run finds them hashed already instead of hashing and storing them again.
 */
const textHashes = new Map<string, number>();
/** The field that is printed but never hashed. */
export const DISPLAY_ONLY = 'info';

export interface TraceOptions {
  /** Keep every record (for printing, pcap, checks). @defaultValue false */
  readonly keep?: boolean;
  /**
   * Called with every record as it is emitted, after it is hashed; it must only read (the run is
   * the same with it or without it). @defaultValue null
   */
  readonly onRecord?: ((record: TraceRecord) => void) | null;
}

export class Trace {
  readonly keep: boolean;
  readonly #onRecord: ((record: TraceRecord) => void) | null;
  readonly #records: TraceRecord[] = [];
  readonly #tail: (TraceRecord | undefined)[] = new Array<TraceRecord | undefined>(TAIL_LENGTH);
  #count = 0;
  #hashLow = 0x811c9dc5;
  #hashHigh = 0x2545f491;
  readonly #marks = new Map<string, number>();

  constructor(options: TraceOptions = {}) {
    this.keep = options.keep ?? false;
    this.#onRecord = options.onRecord ?? null;
  }

  /** Folds a catalogued record into the hash (and keeps it, when asked). */
  emit(record: TraceRecord): void {
    this.#fold(record);
    this.#tail[this.#count % TAIL_LENGTH] = record;
    this.#count++;
    if (this.keep) this.#records.push(record);
    if (this.#onRecord !== null) this.#onRecord(record);
  }

  /** Number of records emitted so far. */
  get count(): number {
    return this.#count;
  }

  /** The running trace hash: 16 hex digits. */
  hash(): string {
    return hex32(this.#hashHigh) + hex32(this.#hashLow);
  }

  /** Every record, when `keep` was set; otherwise empty. */
  records(): readonly TraceRecord[] {
    return this.#records;
  }

  /** The latest records (at most 64), oldest first, whether or not `keep` was set. */
  tail(count = TAIL_LENGTH): TraceRecord[] {
    const out: TraceRecord[] = [];
    const first = Math.max(0, this.#count - Math.min(count, TAIL_LENGTH));
    for (let i = first; i < this.#count; i++) out.push(this.#tail[i % TAIL_LENGTH] as TraceRecord);
    return out;
  }

  /** Coverage mark: source code marks a path, the test that justifies it expects the mark. */
  mark(name: string): void {
    this.#marks.set(name, (this.#marks.get(name) ?? 0) + 1);
  }

  marks(): ReadonlyMap<string, number> {
    return this.#marks;
  }

  #fold(record: FlatRecord): void {
    let low = this.#hashLow;
    let high = this.#hashHigh;
    for (const key in record) {
      const value = record[key];
      if (value === undefined || key === DISPLAY_ONLY) continue;
      let part: number;
      if (typeof value === 'number' && value >= 0 && (value | 0) === value) {
        part = value; // the common case (ids, ports, sizes, early times): same as the line below
      } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
        const upper = Math.floor(value / 4294967296) >>> 0;
        part = (value >>> 0) ^ Math.imul(upper, 0x9e3779b1);
      } else {
        part = this.#hashText(typeof value === 'string' ? value : String(value));
      }
      low = Math.imul(low ^ part, 0x01000193);
      high = mix(mix(high, part), 0xff);
    }
    this.#hashLow = low;
    this.#hashHigh = high;
  }

  /**
   * A string's 32-bit hash, remembered: records repeat the same few strings (types, host names,
   * states, causes), and a map lookup of a string is cheaper than hashing it again.
   */
  #hashText(text: string): number {
    let hash = textHashes.get(text);
    if (hash !== undefined) return hash;
    hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    hash = mix(hash, text.length) >>> 0;
    if (textHashes.size < TEXT_HASH_CACHE) textHashes.set(text, hash);
    return hash;
  }
}

function mix(hash: number, value: number): number {
  let h = Math.imul(hash ^ value, 0x5bd1e995);
  h ^= h >>> 15;
  return h;
}

function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/** One line per record, simulated time first: `0.005000s net.packet phase=sent id=1 ...`. */
export function formatRecord(record: FlatRecord): string {
  let line = `${formatInstant(record.at)} ${record.type}`;
  for (const key in record) {
    if (key === 'at' || key === 'type') continue;
    const value = record[key];
    if (value === undefined) continue;
    line +=
      typeof value === 'string' && /\s/.test(value) ? ` ${key}="${value}"` : ` ${key}=${value}`;
  }
  return line;
}
