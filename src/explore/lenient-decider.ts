/**
 * The lenient replaying decider, for shrinking (shrink.ts): replays a tape that no longer lines
 * up with the run it steers (entries deleted, values lowered) without ever diverging, where a
 * strict replay stops the run (choice.ts, ReplayingDecider). The rule, at each choice the run
 * asks for, with the tape's cursor at entry i:
 * - the tape has run out: the choice takes its default (its minimum);
 * - entry i has the asked label: it is consumed, and its value decides, unless the value is null
 *   or outside the choice's range (not an integer, below min, above max): then the default;
 * - entry i has another label: the next LOOKAHEAD entries are searched for the asked label; at
 *   the first found, the cursor skips to it (the entries between are dropped) and it decides as
 *   above; if none is found, the choice takes its default and consumes nothing, so the entry
 *   waits for a choice of its label.
 * Unlike the guided decider (guided-decider.ts), which follows a tape index by index and draws
 * seeded values where it does not fit, nothing here comes from the seed: what the tape does not
 * decide takes the default, so a shorter tape is a simpler run. The decider also keeps the tape
 * the run actually used, normalised (a default value written null, trailing defaults cut): the
 * shrinker goes on from that tape, as Hypothesis does from the choices a test case really made
 * ("Test-Case Reduction via Test-Case Generation: Insights from the Hypothesis Reducer",
 * MacIver and Donaldson, ECOOP 2020).
 */
import type { Choice, Decider, Tape, TapeEntry } from '../sim/index.ts';
import { trimDefaults } from './tape-order.ts';

/** How many entries past the cursor a choice looks for its label. */
export const LOOKAHEAD = 16;

export class LenientDecider implements Decider {
  readonly #tape: Tape;
  readonly #used: TapeEntry[] = [];
  #cursor = 0;

  constructor(tape: Tape) {
    this.#tape = tape;
  }

  decide(choice: Choice): number {
    const value = this.#valueFor(choice);
    const used = value === choice.min ? null : value;
    this.#used.push({ label: choice.label, value: used });
    return value;
  }

  /** The tape the run used so far: defaults null, trailing defaults cut. */
  used(): Tape {
    return trimDefaults(this.#used);
  }

  #valueFor(choice: Choice): number {
    const index = this.#find(choice.label);
    if (index < 0) return choice.min;
    this.#cursor = index + 1;
    const value = (this.#tape[index] as TapeEntry).value;
    if (value === null || !Number.isInteger(value)) return choice.min;
    return value < choice.min || value > choice.max ? choice.min : value;
  }

  /** The index of the entry for `label` within the lookahead, or -1. */
  #find(label: string): number {
    const end = Math.min(this.#tape.length, this.#cursor + LOOKAHEAD + 1);
    for (let i = this.#cursor; i < end; i++) {
      if ((this.#tape[i] as TapeEntry).label === label) return i;
    }
    return -1;
  }
}
