/**
 * The strategy seam: a decider is asked for the value of every choice of a run (choice.ts). The
 * seeded, recording and replaying runs are deciders (SeededDecider, RecordingDecider,
 * ReplayingDecider in choice.ts); a search strategy is one more, plugged in through the
 * `decider` option of the Simulator or the ChoiceSource. A strategy that does not target a
 * choice returns `undefined` (or `choice.seeded()`), and the choice takes the value the run's
 * seed gives it: every strategy draws the choices it does not target from the run's seed.
 *
 * A seeded run without a strategy never builds a Choice: its streams call their generator
 * directly, so the seam costs nothing when unused.
 */

/** What kind of call a choice is; fixes the meaning of its value. */
export type ChoiceKind = 'chance' | 'between' | 'exponential' | 'pick';

/**
 * What a scheduler may tell a strategy about an event, beyond its label: given to
 * `Simulator.describe` by the layer that schedules it (kept only when a strategy is plugged in).
 */
export interface EventAbout {
  /** The host the event belongs to. */
  readonly host?: string;
  /** What sort of event it is, e.g. 'timer' or 'packet'. */
  readonly kind?: string;
}

/** One candidate of a same-instant pick: an event due at the instant. */
export interface Candidate {
  readonly label: string;
  /** Its virtual time (the same for every candidate of a pick). */
  readonly at: number;
  /** Its insertion sequence: the canonical order is by `seq`. */
  readonly seq: number;
  /** What its scheduler told `Simulator.describe`, or null. */
  readonly about: EventAbout | null;
}

/** One choice, as a decider sees it; valid only during the `decide` call. */
export interface Choice {
  /** The name of the stream it is drawn from, e.g. 'scheduler' or 'link a→b'. */
  readonly stream: string;
  /** Its label: the tape's label, e.g. 'link a→b loss' or 'same-instant 1.000ms'. */
  readonly label: string;
  readonly kind: ChoiceKind;
  /**
   * The range of the value, both ends included: [0, 1] for a chance (1 is true), [min, max]
   * for a between, [0, cap] for an exponential, [0, count - 1] for a pick. `min` is the default.
   */
  readonly min: number;
  readonly max: number;
  /** A chance's probability of 1; NaN otherwise. */
  readonly probability: number;
  /** An exponential's mean; NaN otherwise. */
  readonly mean: number;
  /**
   * A same-instant pick's candidates in canonical order, when a strategy is plugged in; null for
   * any other choice.
   */
  readonly candidates: readonly Candidate[] | null;
  /**
   * True for a fault point (ChoiceStream.fault): 1 injects a fault, such as an allocation that
   * fails. A fault point whose probability is 0 is offered only when the run offers fault points
   * (SimulatorOptions.faultPoints); its seeded value is 0 and draws nothing.
   */
  readonly fault: boolean;
  /**
   * The driver's file:line that made the choice (the first stack frame outside wsksim's src/), or
   * null; captured on the first call, so only a strategy that asks pays for the stack.
   */
  site(): string | null;
  /**
   * The value the run's seed gives this choice. The first call draws it from the stream, later
   * calls return the same value; a choice whose seeded value is never asked for draws nothing.
   */
  seeded(): number;
}

/**
 * Decides choices. The value must be an integer in [choice.min, choice.max]; anything else is a
 * strategy bug and fails the run with an assertion naming the choice's label.
 */
export interface Decider {
  /** The value of `choice`, or undefined to take its seeded value. */
  decide(choice: Choice): number | undefined;
}

/** A decider given as a bare function. */
export type DecideFunction = (choice: Choice) => number | undefined;

/** What the `decider` option accepts. */
export type DeciderOption = Decider | DecideFunction;
