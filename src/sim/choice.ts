/**
 * The choice source: every nondeterministic decision of a run is one labelled call here
 * (docs/design.md#determinism-contract). In a seeded run the values come from per-subsystem
 * xor128 streams, each started from a non-linear hash of the root seed and its own name
 * (stream-seed.ts), so a new draw in one subsystem does not shift every other (TigerBeetle's VOPR
 * does the same) and no two streams, nor one stream under neighbouring seeds, are correlated. On
 * demand every choice is recorded, in draw order, as (label, value): the tape. Replaying a tape
 * feeds its values back, checks each label, and stops the run with "tape diverged at entry i" on
 * a mismatch. Where the tape has run out, or an entry was deleted (value null), a choice takes
 * its default, which is always the minimum of its range: no fault for a chance, the first
 * candidate for a pick, the shortest delay for a range. So a shorter tape is a simpler run, and
 * the empty tape is the fault-free run.
 *
 * The generator is seedrandom's xor128 (computed in xor128.ts, started from the stream's state):
 * the fastest of its family (≈290M numbers/s against ARC4's ≈32M,
 * docs/design.md#performance-metrics), and its 32-bit resolution is ample for probabilities and
 * delays. A choice with only one possible outcome (probability 0 or 1, an empty
 * range, a single candidate) is not a choice: it draws nothing and records nothing.
 *
 * Every choice is decided by a decider (decider.ts): the seeded run's (SeededDecider), the
 * recording run's (RecordingDecider, wrapping another), the replaying run's (ReplayingDecider),
 * or a strategy's (the `decider` option). A seeded run with no strategy and no recording takes a
 * shortcut, the hot path: its streams call their generator directly and build no Choice.
 */
import { AssertionError } from './assert.ts';
import type { Candidate, Choice, ChoiceKind, Decider, DeciderOption } from './decider.ts';
import { SimConfigError, checkInteger } from './errors.ts';
import { callerSite } from './site.ts';
import { streamState } from './stream-seed.ts';
import { Xor128 } from './xor128.ts';

/** One recorded choice; a null value stands for "take the default" (an entry the shrinker cut). */
export interface TapeEntry {
  readonly label: string;
  readonly value: number | null;
  /**
   * The choice's minimum, its default, when it is not 0 (a range's lower end): recorded so that a
   * reader of the tape (a failure artifact) can tell a default value from a chosen one. Replay
   * ignores it; tapes without it still replay.
   */
  readonly min?: number;
}

/** Recorded choices in draw order. */
export type Tape = readonly TapeEntry[];

/** A fault point that came out true (ChoiceStream.fault): a fault the run suffered. */
export interface FaultTaken {
  /** The stream it was drawn from, e.g. 'kernel/server'. */
  readonly stream: string;
  /** Its label, e.g. 'irp allocation fails'. */
  readonly label: string;
  /** The virtual time of the draw (ChoiceSourceOptions.clock), or 0 without a clock. */
  readonly at: number;
  /**
   * Injected from outside the scenario: decided by a strategy at a fault point the scenario gave
   * probability 0, or drawn in a stream whose probabilities came from outside (`injecting`).
   */
  readonly injected: boolean;
}

/** A replayed tape disagreed with the run: the run stops here and reports the entry. */
export class TapeDivergedError extends Error {
  override readonly name = 'TapeDivergedError';
  readonly entry: number;

  constructor(entry: number, reason: string) {
    super(`tape diverged at entry ${entry}: ${reason}`);
    this.entry = entry;
  }
}

/** Streams call their generator directly: no strategy, nothing recorded. */
const SEEDED = 0;
/** Streams hand every choice to the source's decider. */
const DECIDING = 1;
type Mode = typeof SEEDED | typeof DECIDING;

export interface ChoiceSourceOptions {
  /** Root seed: a safe non-negative integer. */
  readonly seed: number;
  /** Record every choice (see `tape()`). @defaultValue false */
  readonly record?: boolean;
  /** Replay these choices instead of drawing seeded values; implies recording what is used. */
  readonly replay?: Tape;
  /**
   * A strategy asked for every choice; what it does not decide takes the seeded value. Cannot be
   * combined with `replay`, whose tape decides every choice.
   */
  readonly decider?: DeciderOption;
  /**
   * Offer fault points whose probability is 0 to the decider (ChoiceStream.fault), so a strategy
   * can inject a fault the scenario did not ask for. Changes the tape (each such point is a
   * choice), so a tape recorded with it replays only with it. @defaultValue false
   */
  readonly faultPoints?: boolean;
  /** The virtual time, for the faults list. */
  readonly clock?: () => number;
}

export class ChoiceSource {
  readonly seed: number;
  /** @internal read by streams on every draw */
  mode: Mode;
  /** @internal decides every choice when `mode` is DECIDING */
  readonly decider: Decider;
  /** Fault points of probability 0 are choices (ChoiceSourceOptions.faultPoints). */
  readonly faultPoints: boolean;
  readonly #streams = new Map<string, ChoiceStream>();
  readonly #recorder: RecordingDecider | null;
  readonly #faults: FaultTaken[] = [];
  readonly #clock: () => number;

  constructor(options: ChoiceSourceOptions) {
    this.seed = checkInteger('seed', options.seed, 0, Number.MAX_SAFE_INTEGER);
    const { replay, decider: strategy } = options;
    if (replay !== undefined) validateTape(replay);
    if (strategy !== undefined && replay !== undefined)
      throw new SimConfigError('decider', 'cannot be combined with replay: the tape decides');
    let decider: Decider | null =
      replay !== undefined
        ? new ReplayingDecider(replay)
        : strategy !== undefined
          ? new CheckedDecider(checkDecider(strategy))
          : null;
    this.#recorder =
      replay !== undefined || options.record === true
        ? new RecordingDecider(decider ?? new SeededDecider())
        : null;
    decider = this.#recorder ?? decider;
    this.faultPoints = options.faultPoints ?? false;
    this.#clock = options.clock ?? (() => 0);
    this.mode = decider === null && !this.faultPoints ? SEEDED : DECIDING;
    this.decider = decider ?? new SeededDecider();
  }

  /** The stream for one subsystem; the same name always gives the same stream. */
  stream(name: string): ChoiceStream {
    let stream = this.#streams.get(name);
    if (stream === undefined) {
      stream = new ChoiceStream(this, name, new Xor128(streamState(this.seed, name)));
      this.#streams.set(name, stream);
    }
    return stream;
  }

  /** True when choices are being recorded (recording or replaying). */
  get isRecording(): boolean {
    return this.#recorder !== null;
  }

  /** The choices made so far, in draw order (empty unless recording or replaying). */
  tape(): Tape {
    return this.#recorder?.tape() ?? [];
  }

  /** The fault points that came out true so far, in draw order. */
  faults(): readonly FaultTaken[] {
    return this.#faults;
  }

  /** @internal a fault point came out true */
  noteFault(stream: string, label: string, injected: boolean): void {
    this.#faults.push({ stream, label, at: this.#clock(), injected });
  }

  /** Number of choices drawn from the tape or the streams and recorded so far. */
  get recordedCount(): number {
    return this.#recorder?.recordedCount ?? 0;
  }
}

/** Per-subsystem stream of choices. All methods return the minimum when the tape is exhausted. */
export class ChoiceStream {
  readonly name: string;
  /**
   * This stream's fault probabilities came from outside the scenario (kernel options given with
   * `--set`, a strategy's swarm draw): every fault it takes counts as injected.
   */
  injecting = false;
  readonly #source: ChoiceSource;
  readonly #random: Xor128;

  constructor(source: ChoiceSource, name: string, random: Xor128) {
    this.#source = source;
    this.name = name;
    this.#random = random;
  }

  /** True with the given probability; the default (no fault) is false. */
  chance(label: string, probability: number): boolean {
    if (probability <= 0) return false;
    if (probability >= 1) return true;
    const source = this.#source;
    if (source.mode === SEEDED) return this.#random.next() < probability;
    return this.#decide(source, 'chance', label, 0, 1, probability, NaN, null) === 1;
  }

  /**
   * A fault point: true injects the fault (an allocation fails). The same draw as `chance`, with
   * two differences: when the source offers fault points, probability 0 is still a choice a
   * strategy may decide (its seeded value is false and draws nothing), and a fault that comes out
   * true is listed in the source's `faults()`.
   */
  fault(label: string, probability: number): boolean {
    const source = this.#source;
    let taken: boolean;
    if (probability >= 1) taken = true;
    else if (probability > 0) taken = this.chance(label, probability);
    else if (!source.faultPoints) return false;
    else taken = this.#decide(source, 'chance', label, 0, 1, 0, NaN, null, true) === 1;
    if (taken) source.noteFault(this.name, label, probability <= 0 || this.injecting);
    return taken;
  }

  /** A uniform integer in [min, max]; the default is min. */
  between(label: string, min: number, max: number): number {
    if (max <= min) return min;
    const source = this.#source;
    if (source.mode === SEEDED) return min + Math.floor(this.#random.next() * (max - min + 1));
    return this.#decide(source, 'between', label, min, max, NaN, NaN, null);
  }

  /** An exponentially distributed integer with the given mean, capped at `max`; default 0. */
  exponential(label: string, mean: number, max: number): number {
    if (mean <= 0 || max <= 0) return 0;
    const source = this.#source;
    if (source.mode === SEEDED)
      return Math.min(max, Math.round(-mean * Math.log(1 - this.#random.next())));
    return this.#decide(source, 'exponential', label, 0, max, NaN, mean, null);
  }

  /**
   * An index in [0, count); the default is 0, the first (canonical) candidate. A same-instant
   * pick passes its candidates (`count` of them) for a strategy to see.
   */
  pick(label: string, count: number, candidates: readonly Candidate[] | null = null): number {
    if (count <= 1) return 0;
    const source = this.#source;
    if (source.mode === SEEDED) return Math.floor(this.#random.next() * count);
    return this.#decide(source, 'pick', label, 0, count - 1, NaN, NaN, candidates);
  }

  #decide(
    source: ChoiceSource,
    kind: ChoiceKind,
    label: string,
    min: number,
    max: number,
    probability: number,
    mean: number,
    candidates: readonly Candidate[] | null,
    fault = false,
  ): number {
    const choice = new PendingChoice(this.name, label, kind, min, max, this.#random);
    choice.probability = probability;
    choice.mean = mean;
    choice.candidates = candidates;
    choice.fault = fault;
    return source.decider.decide(choice) as number;
  }
}

/** A choice being decided; draws its seeded value on demand, at most once. */
class PendingChoice implements Choice {
  readonly stream: string;
  readonly label: string;
  readonly kind: ChoiceKind;
  readonly min: number;
  readonly max: number;
  probability = NaN;
  mean = NaN;
  candidates: readonly Candidate[] | null = null;
  fault = false;
  readonly #random: Xor128;
  #seeded = NaN;
  #site: string | null | undefined;

  constructor(
    stream: string,
    label: string,
    kind: ChoiceKind,
    min: number,
    max: number,
    random: Xor128,
  ) {
    this.stream = stream;
    this.label = label;
    this.kind = kind;
    this.min = min;
    this.max = max;
    this.#random = random;
  }

  site(): string | null {
    if (this.#site === undefined) this.#site = callerSite('sim/choice.ts', this.#entry());
    return this.#site;
  }

  /** The ChoiceStream method the choice was drawn through: its caller's frames name the site. */
  #entry(): Function {
    const stream = ChoiceStream.prototype;
    if (this.fault) return stream.fault;
    const kind = this.kind;
    return kind === 'chance'
      ? stream.chance
      : kind === 'between'
        ? stream.between
        : kind === 'exponential'
          ? stream.exponential
          : stream.pick;
  }

  /** The draw of the seeded run: the same formulas as ChoiceStream's hot path. */
  seeded(): number {
    if (!Number.isNaN(this.#seeded)) return this.#seeded;
    if (this.kind === 'chance' && !(this.probability > 0)) return (this.#seeded = 0);
    const r = this.#random.next();
    const { min, max } = this;
    this.#seeded =
      this.kind === 'chance'
        ? r < this.probability
          ? 1
          : 0
        : this.kind === 'exponential'
          ? Math.min(max, Math.round(-this.mean * Math.log(1 - r)))
          : min + Math.floor(r * (max - min + 1));
    return this.#seeded;
  }
}

/** The seeded run as a decider: every choice takes the value its stream's generator gives. */
export class SeededDecider implements Decider {
  decide(choice: Choice): number {
    return choice.seeded();
  }
}

/** Records every choice `inner` decides (or defers to the seed) as a tape entry. */
export class RecordingDecider implements Decider {
  readonly #inner: Decider;
  readonly #recorded: TapeEntry[] = [];

  constructor(inner: Decider) {
    this.#inner = inner;
  }

  decide(choice: Choice): number {
    const value = this.#inner.decide(choice) ?? choice.seeded();
    const { label, min } = choice;
    this.#recorded.push(min === 0 ? { label, value } : { label, value, min });
    return value;
  }

  /** The choices recorded so far, in draw order. */
  tape(): Tape {
    return this.#recorded.slice();
  }

  get recordedCount(): number {
    return this.#recorded.length;
  }
}

/**
 * Feeds a tape back, checking each label; past its end, or at an entry whose value is null, a
 * choice takes its default (`min`). A mismatch throws TapeDivergedError naming the entry.
 */
export class ReplayingDecider implements Decider {
  readonly #tape: Tape;
  #cursor = 0;

  constructor(tape: Tape) {
    this.#tape = tape;
  }

  decide(choice: Choice): number {
    const { label, min, max } = choice;
    const index = this.#cursor++;
    const entry = this.#tape[index];
    if (entry === undefined) return min;
    if (entry.label !== label) {
      throw new TapeDivergedError(
        index,
        `the tape has '${entry.label}', the run asked for '${label}'`,
      );
    }
    if (entry.value === null) return min;
    if (!Number.isInteger(entry.value) || entry.value < min || entry.value > max) {
      throw new TapeDivergedError(
        index,
        `value ${entry.value} of '${label}' is outside [${min}, ${max}]`,
      );
    }
    return entry.value;
  }
}

/** A strategy's decider: what it defers takes the seeded value; what it returns is checked. */
class CheckedDecider implements Decider {
  readonly #strategy: Decider;

  constructor(strategy: Decider) {
    this.#strategy = strategy;
  }

  decide(choice: Choice): number {
    const value = this.#strategy.decide(choice);
    if (value === undefined) return choice.seeded();
    const { label, min, max } = choice;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new AssertionError(
        `decider: value ${String(value)} of '${label}' is outside [${min}, ${max}]`,
      );
    }
    return value;
  }
}

function checkDecider(option: DeciderOption): Decider {
  if (typeof option === 'function') return { decide: option };
  if (typeof option === 'object' && option !== null && typeof option.decide === 'function')
    return option;
  throw new SimConfigError('decider', 'expected a function or an object with decide(choice)');
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
