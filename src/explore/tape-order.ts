/**
 * The shortlex order on tapes, which the shrinker (shrink.ts) only ever moves down: a shorter
 * tape is smaller; of two as long, the first entry where they differ decides, a null (default)
 * value below any number, then a smaller number, then (for a total order) the smaller label.
 * Hypothesis orders its choice sequences the same way, so that shrinking always ends and ends
 * on a canonical result ("Test-Case Reduction via Test-Case Generation: Insights from the
 * Hypothesis Reducer", MacIver and Donaldson, ECOOP 2020,
 * https://doi.org/10.4230/LIPIcs.ECOOP.2020.13).
 */
import type { Tape, TapeEntry } from '../sim/index.ts';

/** Negative when `a` comes before `b` in shortlex order, 0 when equal, positive after. */
export function compareTapes(a: Tape, b: Tape): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const order = compareEntries(a[i] as TapeEntry, b[i] as TapeEntry);
    if (order !== 0) return order;
  }
  return 0;
}

function compareEntries(a: TapeEntry, b: TapeEntry): number {
  if (a.value !== b.value) {
    if (a.value === null) return -1;
    if (b.value === null) return 1;
    return a.value - b.value;
  }
  return a.label < b.label ? -1 : a.label > b.label ? 1 : 0;
}

/** `tape` without its trailing default (null) entries: past the end every choice defaults. */
export function trimDefaults(tape: Tape): Tape {
  let end = tape.length;
  while (end > 0 && (tape[end - 1] as TapeEntry).value === null) end--;
  return tape.slice(0, end);
}

/** How many entries are not the default (non-null). */
export function nonDefaultCount(tape: Tape): number {
  return tape.filter((entry) => entry.value !== null).length;
}

/** A key telling tapes apart, for the shrinker's cache of candidates tried. */
export function tapeKey(tape: Tape): string {
  return JSON.stringify(tape.map((entry) => [entry.label, entry.value]));
}
