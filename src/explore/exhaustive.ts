/**
 * Every run of a small choice tree (docs/design.md#exploration, `exhaustive`: bounded enumeration,
 * for tiny race scenarios such as every order of the events due at one instant). A run is replayed
 * from a tape prefix; past the prefix every choice takes its default
 * (docs/design.md#determinism-contract), and the replayed run records the whole tape it used. The
 * next run takes the last entry that can still grow, one more, and defaults after it (an odometer
 * over the tree, depth first); an entry has run out when the grown value is outside its range,
 * which the replay reports as 'tape-diverged'. So each leaf of the tree runs once, plus one probe
 * per exhausted entry.
 */
import type { Failure, Tape } from '../sim/index.ts';

/** What the enumeration needs of a run: the tape it recorded and how it ended. */
export interface Replayed {
  readonly tape?: Tape;
  readonly failure?: Failure;
}

export interface Enumeration<R> {
  /** One run per leaf of the choice tree, in depth-first order. */
  readonly leaves: readonly R[];
  /** False when `limit` stopped it before the tree was done. */
  readonly complete: boolean;
}

export interface EnumerationOptions {
  /** Stop after this many leaves. */
  readonly limit: number;
  /**
   * Which choices to vary, by label (e.g. the same-instant picks at one instant,
   * `(label) => label === 'same-instant 30.005000s'`); the others keep their default.
   * @defaultValue every choice
   */
  readonly vary?: (label: string) => boolean;
}

/**
 * Runs `run(replay)` on every tape of the tree, up to `options.limit` leaves. `run` must replay
 * the tape it is given (and so record the one it used).
 */
export async function everyChoice<R extends Replayed>(
  run: (replay: Tape) => Promise<R>,
  options: EnumerationOptions,
): Promise<Enumeration<R>> {
  const vary = options.vary ?? (() => true);
  const leaves: R[] = [];
  let current: R | null = await run([]);
  while (current !== null) {
    leaves.push(current);
    if (leaves.length >= options.limit) return { leaves, complete: false };
    current = await nextLeaf(run, current.tape ?? [], vary);
  }
  return { leaves, complete: true };
}

/** The run after `tape` in depth-first order, or null when the tree is done. */
async function nextLeaf<R extends Replayed>(
  run: (replay: Tape) => Promise<R>,
  tape: Tape,
  vary: (label: string) => boolean,
): Promise<R | null> {
  for (let i = tape.length - 1; i >= 0; i--) {
    const entry = tape[i] as Tape[number];
    if (!vary(entry.label)) continue;
    const grown = [...tape.slice(0, i), { label: entry.label, value: (entry.value ?? 0) + 1 }];
    const result = await run(grown);
    if (result.failure?.kind !== 'tape-diverged') return result;
  }
  return null;
}
