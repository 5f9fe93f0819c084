/**
 * The guided decider: follows a tape softly. At its i-th draw it takes the tape's i-th value when
 * the entry's label is the choice's and the value lies in the choice's range; otherwise (another
 * label, a value out of range, the tape run out) it takes the seeded value. So a mutated tape
 * (tape-mutations.ts) steers a run as far as the run still makes the choices it recorded, and
 * never diverges where a replayed tape would stop the run (choice.ts, ReplayingDecider). A null
 * entry (a cut one) stands for the default, the minimum, as it does in a replayed tape.
 *
 * It also records each draw with what a mutation needs to know of it (kind, range, whether a
 * fault point), which a plain tape does not say: the coverage strategy mutates those draws.
 */
import type { Choice, ChoiceKind, Decider, Tape, TapeEntry } from '../sim/index.ts';

/** One draw of a run: its tape entry and what its choice was. */
export interface Draw extends TapeEntry {
  readonly value: number;
  readonly kind: ChoiceKind;
  readonly min: number;
  readonly max: number;
  /** A fault point (Choice.fault). */
  readonly fault: boolean;
}

export class GuidedDecider implements Decider {
  readonly #guide: Tape;
  readonly #draws: Draw[] = [];
  #followed = 0;

  constructor(guide: Tape) {
    this.#guide = guide;
  }

  decide(choice: Choice): number {
    const guided = this.#guided(choice, this.#guide[this.#draws.length]);
    if (guided !== undefined) this.#followed++;
    const value = guided ?? choice.seeded();
    const { label, kind, min, max, fault } = choice;
    this.#draws.push({ label, value, kind, min, max, fault });
    return value;
  }

  /** The draws so far, in order: the run's tape, annotated. */
  draws(): readonly Draw[] {
    return this.#draws;
  }

  /** How many draws took the guide's value. */
  get followed(): number {
    return this.#followed;
  }

  /** The guide's value for `choice`, or undefined when the entry does not fit it. */
  #guided(choice: Choice, entry: TapeEntry | undefined): number | undefined {
    if (entry === undefined || entry.label !== choice.label) return undefined;
    const value = entry.value ?? choice.min;
    const fits = Number.isInteger(value) && value >= choice.min && value <= choice.max;
    return fits ? value : undefined;
  }
}
