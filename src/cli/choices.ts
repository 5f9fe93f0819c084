/**
 * `wsksim run --choices`: the trace with every choice the run drew printed where it was drawn.
 * A decider that takes each choice's seeded value sees every draw in order, and the trace's
 * `onRecord` sees every record in order; both are called as the run goes, so one list interleaves
 * them. Taking the seeded value leaves the run as it is: the same decisions, the same trace hash.
 */
import { formatRecord, type Choice, type DecideFunction, type TraceRecord } from '../sim/index.ts';

export interface ChoiceLog {
  /** The decider to run with: it takes the seeded value and notes it. */
  readonly decider: DecideFunction;
  /** The trace reader to run with. */
  readonly onRecord: (record: TraceRecord) => void;
  /** The lines so far: trace records, and choices between them. */
  readonly lines: readonly string[];
}

export function choiceLog(): ChoiceLog {
  const lines: string[] = [];
  return {
    decider: (choice) => {
      const value = choice.seeded();
      lines.push(choiceLine(choice, value));
      return value;
    },
    onRecord: (record) => void lines.push(formatRecord(record)),
    lines,
  };
}

/** `  choice <label> = <value>  [<stream>, <kind> <range>]`. */
function choiceLine(choice: Choice, value: number): string {
  const shown = choice.kind === 'chance' ? String(value === 1) : String(value);
  const range =
    choice.kind === 'chance' ? `p ${choice.probability}` : `${choice.min}..${choice.max}`;
  const fault = choice.fault ? ', fault point' : '';
  return `  choice ${choice.label} = ${shown}  [${choice.stream}, ${choice.kind} ${range}${fault}]`;
}
