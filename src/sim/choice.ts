/**
 * The choice source: every nondeterministic decision of a run is one labelled call here
 * (docs/design.md#determinism-contract). In a seeded run the values come from per-subsystem
 * seedrandom streams, each started from a non-linear hash of the root seed and its own name
 * (stream-seed.ts), so a new draw in one subsystem does not shift every other (TigerBeetle's VOPR
 * does the same) and no two streams, nor one stream under neighbouring seeds, are correlated. On
 * demand every choice is recorded, in draw order, as (label, value): the tape. Replaying a tape
 * feeds its values back, checks each label, and stops the run with "tape diverged at entry i" on
 * a mismatch. Where the tape has run out, or an entry was deleted (value null), a choice takes
 * its default, which is always the minimum of its range: no fault for a chance, the first
 * candidate for a pick, the shortest delay for a range. So a shorter tape is a simpler run, and
 * the empty tape is the fault-free run.
 *
 * The generator is seedrandom's xor128: the fastest of its family (≈290M numbers/s against
 * ARC4's ≈32M, docs/design.md#performance-metrics), and its 32-bit resolution is ample for
 * probabilities and delays. A choice with only one possible outcome (probability 0 or 1, an empty
 * range, a single candidate) is not a choice: it draws nothing and records nothing.
 */
import seedrandom from 'seedrandom';
import { SimConfigError, checkInteger } from './errors.ts';
import { streamState } from './stream-seed.ts';

/** One recorded choice; a null value stands for "take the default" (an entry the shrinker cut). */
export interface TapeEntry {
  readonly label: string;
  readonly value: number | null;
}

/** Recorded choices in draw order. */
export type Tape = readonly TapeEntry[];

/** A replayed tape disagreed with the run: the run stops here and reports the entry. */
export class TapeDivergedError extends Error {
  override readonly name = 'TapeDivergedError';
  readonly entry: number;

  constructor(entry: number, reason: string) {
    super(`tape diverged at entry ${entry}: ${reason}`);
    this.entry = entry;
  }
}

const SEEDED = 0;
const RECORDING = 1;
const REPLAYING = 2;
type Mode = typeof SEEDED | typeof RECORDING | typeof REPLAYING;

export interface ChoiceSourceOptions {
  /** Root seed: a safe non-negative integer. */
  readonly seed: number;
  /** Record every choice (see `tape()`). @defaultValue false */
  readonly record?: boolean;
  /** Replay these choices instead of drawing seeded values; implies recording what is used. */
  readonly replay?: Tape;
}

export class ChoiceSource {
  readonly seed: number;
  /** @internal read by streams on every draw */
  mode: Mode;
  readonly #streams = new Map<string, ChoiceStream>();
  readonly #recorded: TapeEntry[] = [];
  readonly #replay: Tape;
  #cursor = 0;

  constructor(options: ChoiceSourceOptions) {
    this.seed = checkInteger('seed', options.seed, 0, Number.MAX_SAFE_INTEGER);
    this.#replay = options.replay ?? [];
    if (options.replay !== undefined) validateTape(options.replay);
    this.mode =
      options.replay !== undefined ? REPLAYING : options.record === true ? RECORDING : SEEDED;
  }

  /** The stream for one subsystem; the same name always gives the same stream. */
  stream(name: string): ChoiceStream {
    let stream = this.#streams.get(name);
    if (stream === undefined) {
      const state = streamState(this.seed, name);
      stream = new ChoiceStream(this, seedrandom.xor128('', { state }));
      this.#streams.set(name, stream);
    }
    return stream;
  }

  /** True when choices are being recorded (recording or replaying). */
  get isRecording(): boolean {
    return this.mode !== SEEDED;
  }

  /** The choices made so far, in draw order (empty unless recording or replaying). */
  tape(): Tape {
    return this.#recorded.slice();
  }

  /** Number of choices drawn from the tape or the streams and recorded so far. */
  get recordedCount(): number {
    return this.#recorded.length;
  }

  /** @internal */
  record(label: string, value: number): number {
    this.#recorded.push({ label, value });
    return value;
  }

  /** @internal A value from the replayed tape, or the default (`min`) past its end. */
  replayed(label: string, min: number, max: number): number {
    const index = this.#cursor++;
    const entry = this.#replay[index];
    if (entry === undefined) return this.record(label, min);
    if (entry.label !== label) {
      throw new TapeDivergedError(
        index,
        `the tape has '${entry.label}', the run asked for '${label}'`,
      );
    }
    if (entry.value === null) return this.record(label, min);
    if (!Number.isInteger(entry.value) || entry.value < min || entry.value > max) {
      throw new TapeDivergedError(
        index,
        `value ${entry.value} of '${label}' is outside [${min}, ${max}]`,
      );
    }
    return this.record(label, entry.value);
  }
}

/** Per-subsystem stream of choices. All methods return the minimum when the tape is exhausted. */
export class ChoiceStream {
  readonly #source: ChoiceSource;
  readonly #random: () => number;

  constructor(source: ChoiceSource, random: () => number) {
    this.#source = source;
    this.#random = random;
  }

  /** True with the given probability; the default (no fault) is false. */
  chance(label: string, probability: number): boolean {
    if (probability <= 0) return false;
    if (probability >= 1) return true;
    const source = this.#source;
    if (source.mode === SEEDED) return this.#random() < probability;
    if (source.mode === RECORDING)
      return source.record(label, this.#random() < probability ? 1 : 0) === 1;
    return source.replayed(label, 0, 1) === 1;
  }

  /** A uniform integer in [min, max]; the default is min. */
  between(label: string, min: number, max: number): number {
    if (max <= min) return min;
    const source = this.#source;
    if (source.mode === REPLAYING) return source.replayed(label, min, max);
    const value = min + Math.floor(this.#random() * (max - min + 1));
    return source.mode === RECORDING ? source.record(label, value) : value;
  }

  /** An exponentially distributed integer with the given mean, capped at `max`; default 0. */
  exponential(label: string, mean: number, max: number): number {
    if (mean <= 0 || max <= 0) return 0;
    const source = this.#source;
    if (source.mode === REPLAYING) return source.replayed(label, 0, max);
    const value = Math.min(max, Math.round(-mean * Math.log(1 - this.#random())));
    return source.mode === RECORDING ? source.record(label, value) : value;
  }

  /** An index in [0, count); the default is 0, the first (canonical) candidate. */
  pick(label: string, count: number): number {
    return this.between(label, 0, count - 1);
  }
}

function validateTape(tape: unknown): void {
  if (!Array.isArray(tape))
    throw new SimConfigError('tape', 'expected an array of {label, value} entries');
  tape.forEach((entry: unknown, index) => {
    const ok =
      typeof entry === 'object' &&
      entry !== null &&
      typeof (entry as TapeEntry).label === 'string' &&
      ((entry as TapeEntry).value === null || typeof (entry as TapeEntry).value === 'number');
    if (!ok)
      throw new SimConfigError(`tape[${index}]`, 'expected {label: string, value: number | null}');
  });
}
