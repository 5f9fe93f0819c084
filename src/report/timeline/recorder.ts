/**
 * What the HTML timeline needs of a run besides its records: every choice it drew, placed between
 * the records it was drawn among (the mechanism of `wsksim run --choices`, src/cli/choices.ts). A
 * decider that takes another decider's value (or the seeded one) and notes it sees every draw in
 * order; the trace's `onRecord` counts the records emitted so far; so each choice knows how many
 * records came before it. Noting a value changes nothing: the run is the same run, with the same
 * trace hash, as with the inner decider alone (a tape replayed through ReplayingDecider included).
 */
import type { Choice, ChoiceKind, Decider, DeciderOption, TraceRecord } from '../../sim/index.ts';

/** A choice the run drew, where it drew it. */
export interface DrawnChoice {
  /** How many trace records were emitted before it was drawn. */
  readonly after: number;
  readonly stream: string;
  readonly label: string;
  readonly kind: ChoiceKind;
  readonly value: number;
  /** The choice's default: the lower end of its range. */
  readonly min: number;
  readonly max: number;
  /** A fault point (an allocation that may fail). */
  readonly fault: boolean;
}

export class TimelineRecorder {
  readonly choices: DrawnChoice[] = [];
  #records = 0;

  /** The trace reader to run with (RunRequest.onRecord). */
  readonly onRecord = (record: TraceRecord): void => {
    void record;
    this.#records++;
  };

  /** A decider that takes `inner`'s value (the seeded one without it) and notes it. */
  decider(inner?: DeciderOption): Decider {
    const decide =
      inner === undefined
        ? (choice: Choice): number | undefined => choice.seeded()
        : typeof inner === 'function'
          ? inner
          : (choice: Choice): number | undefined => inner.decide(choice);
    return {
      decide: (choice: Choice): number => {
        const value = decide(choice) ?? choice.seeded();
        const { stream, label, kind, min, max, fault } = choice;
        this.choices.push({ after: this.#records, stream, label, kind, value, min, max, fault });
        return value;
      },
    };
  }
}
