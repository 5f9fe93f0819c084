/**
 * The coverage strategy's corpus (strategies/coverage.ts): the tapes of runs that reached new
 * coverage, and which of them to mutate next. Each tape is remembered with the points it was the
 * first to reach; every passing run counts the points it reached. A tape is chosen with a weight
 * of 1 / (the passing runs that reached its rarest first point): a tape at the frontier, whose
 * points few runs reach, is mutated far more often than one whose points every run reaches, as
 * AFLFast gravitates toward low-frequency paths ("Coverage-based Greybox Fuzzing as Markov
 * Chain", Böhme, Pham and Roychoudhury, CCS 2016) and FairFuzz targets rare branches ("FairFuzz:
 * A Targeted Mutation Strategy for Increasing Greybox Fuzz Testing Coverage", Lemieux and Sen,
 * ASE 2018).
 */
import type { Draw } from './guided-decider.ts';
import type { Random } from './tape-mutations.ts';

/** A tape that reached new coverage. */
export interface CorpusEntry {
  /** The campaign run it came from. */
  readonly run: number;
  readonly draws: readonly Draw[];
  /** The points it was the first to reach. */
  readonly found: readonly string[];
}

export class Corpus {
  readonly #entries: CorpusEntry[] = [];
  /** Passing runs that reached each point. */
  readonly #hits = new Map<string, number>();
  #runs = 0;

  get size(): number {
    return this.#entries.length;
  }

  /**
   * Counts a passing run's points; returns those no earlier run reached (the run's tape then
   * joins the corpus when the caller adds it).
   */
  count(points: readonly string[]): string[] {
    this.#runs++;
    const found: string[] = [];
    for (const point of points) {
      const hits = this.#hits.get(point) ?? 0;
      if (hits === 0) found.push(point);
      this.#hits.set(point, hits + 1);
    }
    return found;
  }

  add(entry: CorpusEntry): void {
    this.#entries.push(entry);
  }

  /** Every point passing runs reached. */
  points(): IterableIterator<string> {
    return this.#hits.keys();
  }

  /** A tape to mutate, by rarity (see the header), other than `not`; null when there is none. */
  choose(random: Random, not: CorpusEntry | null = null): CorpusEntry | null {
    const candidates = this.#entries.filter((entry) => entry !== not);
    if (candidates.length === 0) return null;
    const weights = candidates.map((entry) => 1 / this.#rarity(entry));
    let roll = random() * weights.reduce((sum, weight) => sum + weight, 0);
    for (let i = 0; i < candidates.length; i++) {
      roll -= weights[i] as number;
      if (roll < 0) return candidates[i] as CorpusEntry;
    }
    return candidates[candidates.length - 1] as CorpusEntry;
  }

  /** The passing runs that reached the entry's rarest first point (all of them, if it has none). */
  #rarity(entry: CorpusEntry): number {
    let rarest = Math.max(1, this.#runs);
    for (const point of entry.found) rarest = Math.min(rarest, this.#hits.get(point) ?? 1);
    return rarest;
  }
}
