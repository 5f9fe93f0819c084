/**
 * The tree a bounded enumeration walks (exhaustive.ts): its levels are the varied choices in the
 * order a run reaches them, its branches the values each may take (`domainOf`), its leaves whole
 * runs. A path names a leaf: for each varied choice, the index of its value; a choice past the
 * path takes its first value, the default (docs/design.md#determinism-contract). After a run the
 * domains of the choices it reached are known, and `advance` moves the path on like an odometer:
 * the deepest choice that can still take another value takes the next one and every choice after
 * it starts over. So the walk is depth first, each leaf is run once, and no run is spent on
 * probing a domain. A choice's domain depends on the path before it, and runs are deterministic,
 * so a domain learned on one path holds for every path sharing that prefix.
 */
import { assert, type Choice } from '../../sim/index.ts';

/** A varied choice a run reached: its label and the values it may take, the default first. */
export interface Reached {
  readonly label: string;
  readonly values: readonly number[];
}

/**
 * The values a varied choice takes: both outcomes of a chance, every candidate of a pick, and
 * the two ends of a range (between, exponential), not every integer in it.
 */
export function domainOf(choice: Choice): number[] {
  const { kind, min, max } = choice;
  if (kind !== 'pick') return min === max ? [min] : [min, max];
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

export class ChoiceTree {
  /** The current leaf: a value index per varied choice; the ones past its end take index 0. */
  #path: number[] = [];
  #done = false;

  /** The current leaf's path. */
  get path(): readonly number[] {
    return this.#path;
  }

  /** Every leaf has been run. */
  get done(): boolean {
    return this.#done;
  }

  /** The index of the value varied choice `position` takes on the current path. */
  indexAt(position: number): number {
    return this.#path[position] ?? 0;
  }

  /**
   * Takes what the run of the current leaf reached and moves to the next leaf; false when the
   * tree is done.
   */
  advance(reached: readonly Reached[]): boolean {
    assert(!this.#done, 'choice tree: advanced past its last leaf');
    for (let position = reached.length - 1; position >= 0; position--) {
      const next = this.indexAt(position) + 1;
      if (next < (reached[position] as Reached).values.length) {
        this.#path = [...reached.slice(0, position).map((_, i) => this.indexAt(i)), next];
        return true;
      }
    }
    this.#done = true;
    return false;
  }
}
