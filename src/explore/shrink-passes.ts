/**
 * The shrinker's passes (shrink.ts), after Hypothesis's ("Test-Case Reduction via Test-Case
 * Generation: Insights from the Hypothesis Reducer", MacIver and Donaldson, ECOOP 2020; the
 * passes of hypothesis/internal/conjecture/shrinker.py). Each walks the best tape, proposes
 * candidates to ShrinkState.consider, and goes on from whatever became the best:
 * - deleteSpans: cut spans of consecutive entries, spans of 2^k from the largest down to one
 *   entry, starts half a span apart (the run then asks its choices of the entries after; the
 *   lenient replay lines them up);
 * - defaultSpans: set spans of entries to the default (null), from large spans to small;
 * - minimiseValues: lower each value that is not the default: a same-instant pick (whose values
 *   are not ordered by meaning) or a small value by trying each lower value from 0 up, any other
 *   by binary search between 0 and its value, the first value that keeps the failure winning.
 * Values are minimised toward 0: every choice's default is its minimum, 0 for every chance,
 * pick and exponential; a value below a between's minimum replays as the default.
 */
import type { Tape, TapeEntry } from '../sim/index.ts';
import type { ShrinkState } from './shrink-state.ts';

/** A pass: true when it made progress. */
export type ShrinkPass = (state: ShrinkState) => Promise<boolean>;

/** Values up to this are lowered one by one rather than by binary search. */
const LINEAR_UP_TO = 8;

/** Span sizes 2^k ≤ length, largest first. */
function spanSizes(length: number): number[] {
  const sizes: number[] = [];
  for (let size = 1; size <= length; size *= 2) sizes.unshift(size);
  return sizes;
}

/**
 * Tries `edit(best, start, size)` for every span size, the starts half a span apart (as
 * ddmin's chunks, overlapping by half so that a span across a chunk boundary is tried too):
 * about 4n candidates for n entries rather than n log n; true on progress.
 */
async function spanPass(
  state: ShrinkState,
  edit: (tape: Tape, start: number, size: number) => Tape | null,
): Promise<boolean> {
  let progress = false;
  for (const size of spanSizes(state.best.length)) {
    const step = Math.max(1, size >> 1);
    for (let start = 0; start + size <= state.best.length && !state.mustEnd(); ) {
      const candidate = edit(state.best, start, size);
      if (candidate !== null && (await state.consider(candidate))) progress = true;
      else start += step;
    }
  }
  return progress;
}

export const deleteSpans: ShrinkPass = (state) =>
  spanPass(state, (tape, start, size) => [...tape.slice(0, start), ...tape.slice(start + size)]);

export const defaultSpans: ShrinkPass = (state) =>
  spanPass(state, (tape, start, size) => {
    const span = tape.slice(start, start + size);
    if (span.every((entry) => entry.value === null)) return null;
    const defaults = span.map((entry) => ({ label: entry.label, value: null }));
    return [...tape.slice(0, start), ...defaults, ...tape.slice(start + size)];
  });

export const minimiseValues: ShrinkPass = async (state) => {
  let progress = false;
  for (let i = 0; i < state.best.length && !state.mustEnd(); i++) {
    const entry = state.best[i] as TapeEntry;
    if (entry.value === null || entry.value <= 0) continue;
    const lowered = isPick(entry) || entry.value <= LINEAR_UP_TO ? lowerOneByOne : binarySearch;
    if (await lowered(state, i, entry)) progress = true;
  }
  return progress;
};

function isPick(entry: TapeEntry): boolean {
  return entry.label.startsWith('same-instant ');
}

/** `tape` with entry `index` given `value`. */
function withValue(tape: Tape, index: number, value: number): Tape {
  const entry = tape[index] as TapeEntry;
  return [...tape.slice(0, index), { label: entry.label, value }, ...tape.slice(index + 1)];
}

/** The value at `index` if it is still the entry labelled as `entry`, else null. */
function valueAt(state: ShrinkState, index: number, entry: TapeEntry): number | null {
  const now = state.best[index];
  return now !== undefined && now.label === entry.label ? now.value : null;
}

async function lowerOneByOne(state: ShrinkState, index: number, entry: TapeEntry) {
  const value = entry.value as number;
  for (let lower = 0; lower < value && !state.mustEnd(); lower++) {
    if (await state.consider(withValue(state.best, index, lower))) return true;
  }
  return false;
}

/** The least value in [0, value] that keeps the failure, assuming the failure is monotone. */
async function binarySearch(state: ShrinkState, index: number, entry: TapeEntry) {
  let progress = false;
  let low = 0;
  let high = entry.value as number;
  while (low < high && !state.mustEnd()) {
    const middle = Math.floor((low + high) / 2);
    if (await state.consider(withValue(state.best, index, middle))) {
      progress = true;
      const now = valueAt(state, index, entry);
      if (now === null) break;
      high = now;
    } else {
      low = middle + 1;
    }
  }
  return progress;
}
