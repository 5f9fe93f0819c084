/**
 * Mutations of a run's draws (guided-decider.ts), the coverage strategy's way from a run it kept
 * to a new one, as a greybox fuzzer mutates its inputs: AFL's havoc stage stacks a few random
 * edits and splices two inputs ("Technical whitepaper for afl-fuzz",
 * https://lcamtuf.coredump.cx/afl/technical_details.txt); Zest ("Semantic Fuzzing with Zest",
 * Padhye et al., ISSTA 2019) and Hypothesis ("Hypothesis: A new approach to property-based
 * testing", MacIver et al., JOSS 2019) mutate a generator's choice sequence instead of its
 * output, which is what a tape is here. The edits, each at a random draw of the right kind:
 * - flip: a chance (a fault point too) takes the other outcome;
 * - move: a range or an exponential takes its minimum, its maximum or a value in between;
 * - repick: a pick (a same-instant ordering) takes another candidate;
 * - reset: a block of consecutive draws takes the defaults (no fault, the canonical order, the
 *   shortest delay), as AFL's havoc overwrites a block with one value: a streak of defaults, such
 *   as many completions in a row that do not pend, is out of reach of edits one draw at a time;
 * - splice: the first draws of one tape, then the rest of another's.
 * A mutant is followed softly (GuidedDecider): edits that the run no longer reaches are ignored.
 */
import type { Draw } from './guided-decider.ts';

/** A generator of uniform numbers in [0, 1): the strategy's own stream. */
export type Random = () => number;

/** A mutated tape and the edits that made it, for the run's note. */
export interface Mutant {
  readonly tape: readonly Draw[];
  readonly edits: readonly string[];
}

/** An edit of `tape` at a draw not in `touched` (which it adds to), or null when none applies. */
type Edit = (
  tape: Draw[],
  other: readonly Draw[] | null,
  random: Random,
  touched: Set<number>,
) => string | null;

/** The edits with their weights: flips most, splices least. */
const EDITS: readonly (readonly [Edit, number])[] = [
  [flip, 3],
  [move, 2],
  [repick, 2],
  [reset, 1],
  [splice, 1],
];
const TOTAL_WEIGHT = EDITS.reduce((sum, [, weight]) => sum + weight, 0);
/**
 * Edits stacked on one mutant, as AFL's havoc stacks powers of two: one edit half the time (a
 * tape's choices are few next to a file's bytes, and each more edit may undo what the first
 * found), two or four the rest.
 */
const STACKS = [1, 1, 2, 4] as const;

/**
 * A mutant of `base`: one, two or four edits (STACKS), each chosen by weight (one that does not
 * apply, say a flip on a tape without chances, gives way to the next), each at draws no earlier
 * edit of the mutant touched, so that two flips never cancel out; `other` is the tape a splice
 * takes its rest from, or null.
 */
export function mutate(
  base: readonly Draw[],
  other: readonly Draw[] | null,
  random: Random,
): Mutant {
  const tape = base.slice();
  const edits: string[] = [];
  const touched = new Set<number>();
  const count = STACKS[Math.floor(random() * STACKS.length)] as number;
  for (let i = 0; i < count; i++) {
    const edit = applyOne(tape, other, random, touched);
    if (edit !== null) edits.push(edit);
  }
  return { tape, edits };
}

function applyOne(
  tape: Draw[],
  other: readonly Draw[] | null,
  random: Random,
  touched: Set<number>,
): string | null {
  const first = weightedIndex(random() * TOTAL_WEIGHT);
  for (let k = 0; k < EDITS.length; k++) {
    const [edit] = EDITS[(first + k) % EDITS.length] as readonly [Edit, number];
    const done = edit(tape, other, random, touched);
    if (done !== null) return done;
  }
  return null;
}

/** The edit a roll in [0, TOTAL_WEIGHT) falls on. */
function weightedIndex(roll: number): number {
  let index = 0;
  for (let rest = roll; index < EDITS.length - 1; index++) {
    rest -= (EDITS[index] as readonly [Edit, number])[1];
    if (rest < 0) break;
  }
  return index;
}

/** A chance takes the other outcome. */
export function flip(
  tape: Draw[],
  _other: unknown,
  random: Random,
  touched = new Set<number>(),
): string | null {
  const at = pickIndex(tape, random, touched, (draw) => draw.kind === 'chance');
  if (at < 0) return null;
  const draw = tape[at] as Draw;
  tape[at] = { ...draw, value: 1 - draw.value };
  return `flip ${draw.label} #${at}`;
}

/** A range or an exponential takes its minimum, its maximum or a uniform value in between. */
export function move(
  tape: Draw[],
  _other: unknown,
  random: Random,
  touched = new Set<number>(),
): string | null {
  const ranged = (draw: Draw): boolean =>
    (draw.kind === 'between' || draw.kind === 'exponential') && draw.max > draw.min;
  const at = pickIndex(tape, random, touched, ranged);
  if (at < 0) return null;
  const draw = tape[at] as Draw;
  const where = random() * 3;
  const value =
    where < 1 ? draw.min : where < 2 ? draw.max : integerIn(draw.min, draw.max, random);
  tape[at] = { ...draw, value };
  return `move ${draw.label} #${at} to ${value}`;
}

/** A pick takes another of its candidates. */
export function repick(
  tape: Draw[],
  _other: unknown,
  random: Random,
  touched = new Set<number>(),
): string | null {
  const picks = (draw: Draw): boolean => draw.kind === 'pick' && draw.max > draw.min;
  const at = pickIndex(tape, random, touched, picks);
  if (at < 0) return null;
  const draw = tape[at] as Draw;
  const count = draw.max + 1;
  const value = (draw.value + 1 + Math.floor(random() * draw.max)) % count;
  tape[at] = { ...draw, value };
  return `repick ${draw.label} #${at} to ${value}`;
}

/** The longest block a reset sets to the defaults. */
const LONGEST_RESET = 64;

/**
 * A block of 2 to 64 consecutive draws (a power of two) takes the defaults; its draws an earlier
 * edit touched keep that edit. A block already at its defaults is no edit (null).
 */
export function reset(
  tape: Draw[],
  _other: unknown,
  random: Random,
  touched = new Set<number>(),
): string | null {
  if (tape.length < 2) return null;
  const longest = Math.min(LONGEST_RESET, tape.length);
  const length = Math.min(longest, 2 ** integerIn(1, Math.log2(LONGEST_RESET), random));
  const start = integerIn(0, tape.length - length, random);
  let changed = 0;
  for (let at = start; at < start + length; at++) {
    const draw = tape[at] as Draw;
    if (touched.has(at) || draw.value === draw.min) continue;
    tape[at] = { ...draw, value: draw.min };
    touched.add(at);
    changed++;
  }
  return changed === 0 ? null : `reset #${start}-${start + length - 1}`;
}

/**
 * The first draws of `tape`, then `other`'s from the same position on; the cut falls after the
 * last draw an earlier edit touched, so the splice keeps them.
 */
export function splice(
  tape: Draw[],
  other: readonly Draw[] | null,
  random: Random,
  touched = new Set<number>(),
): string | null {
  if (other === null) return null;
  const shorter = Math.min(tape.length, other.length);
  let first = 1;
  for (const at of touched) first = Math.max(first, at + 1);
  if (first > shorter - 1) return null;
  const cut = integerIn(first, shorter - 1, random);
  tape.length = cut;
  for (let i = cut; i < other.length; i++) tape.push(other[i] as Draw);
  return `splice at #${cut}`;
}

/**
 * A uniform index among the draws `wanted` accepts and no edit touched, now marked touched; -1
 * when there is none.
 */
function pickIndex(
  tape: readonly Draw[],
  random: Random,
  touched: Set<number>,
  wanted: (draw: Draw) => boolean,
): number {
  const indexes: number[] = [];
  tape.forEach((draw, i) => {
    if (wanted(draw) && !touched.has(i)) indexes.push(i);
  });
  if (indexes.length === 0) return -1;
  const at = indexes[Math.floor(random() * indexes.length)] as number;
  touched.add(at);
  return at;
}

function integerIn(min: number, max: number, random: Random): number {
  return min + Math.floor(random() * (max - min + 1));
}
