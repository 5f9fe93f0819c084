/**
 * Sets of k items out of a list that grows at its end, one after another, each once: in
 * colexicographic order (by largest item, then the next largest, ...), every set drawn from the
 * first n items comes before any set holding item n, so appending items only extends the order.
 * A systematic campaign (systematic.ts) walks the sets of allocation sites this way while its
 * runs keep finding new sites; Knuth, "The Art of Computer Programming" vol. 4A, §7.2.1.3, gives
 * the order.
 */

/** The sets of `size` items of a growing list, in colex order, each handed out once. */
export class CombinationCursor {
  readonly size: number;
  #last: readonly number[] | null = null;
  #given = 0;

  constructor(size: number) {
    this.size = size;
  }

  /** How many sets were handed out. */
  get given(): number {
    return this.#given;
  }

  /** The next set (sorted indexes) drawn from `count` items, or null when all have been given. */
  next(count: number): readonly number[] | null {
    const set = this.peek(count);
    if (set !== null) {
      this.#last = set;
      this.#given++;
    }
    return set;
  }

  /** The set next() would hand out, without handing it out. */
  peek(count: number): readonly number[] | null {
    return this.#last === null ? firstSet(this.size, count) : successor(this.#last, count);
  }
}

/** {0, 1, ..., size - 1}, or null when there are fewer than `size` items. */
function firstSet(size: number, count: number): number[] | null {
  return size <= count ? Array.from({ length: size }, (_, i) => i) : null;
}

/** The set after `set` in colex order among `count` items, or null when it is the last. */
function successor(set: readonly number[], count: number): number[] | null {
  for (let i = 0; i < set.length; i++) {
    const limit = i + 1 < set.length ? (set[i + 1] as number) : count;
    if ((set[i] as number) + 1 < limit) {
      const next = set.slice();
      next[i] = (set[i] as number) + 1;
      for (let j = 0; j < i; j++) next[j] = j;
      return next;
    }
  }
  return null;
}

/** The number of sets of `size` items out of `count`. */
export function setsOf(count: number, size: number): number {
  if (size > count) return 0;
  let sets = 1;
  for (let i = 0; i < size; i++) sets = (sets * (count - i)) / (i + 1);
  return Math.round(sets);
}
