/**
 * PCT's scheduler for one run: the decider that orders the events due at one instant by the
 * priority of their chains (Burckhardt, Kothari, Musuvathi, Nagarakatte, "A Randomized Scheduler
 * with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010, pp. 167–178; its page is linked
 * from docs/design.md#exploration).
 *
 * A chain is PCT's thread: a sequence of events that runs in its own order whatever the others
 * do. Here it is an event's host and kind as its scheduler described it (Simulator.describe:
 * 'server timer', 'client packet'), since a host's timers fire in the order they fall due and the
 * packets toward a host arrive in the order the links deliver them; an event described with
 * nothing (a kernel thread's step, a scenario's own `sim.at`, a fault) is a chain of its label,
 * as one label names one activity ('thread server/work-item start'). Within a chain the events go
 * in canonical (insertion) order, so a chain stays first in, first out, as a thread's steps do.
 *
 * As in the paper: each chain takes a random priority, distinct from every other, when first seen
 * (it is put at a uniformly random place among the chains not yet lowered, which makes the
 * priorities a uniformly random permutation however many chains turn up); every pick takes the
 * candidate whose chain ranks highest; and after the picks numbered by the change points (d − 1
 * of them, drawn by the strategy among the first k picks), the chain just chosen drops below
 * every other, each later drop below the earlier ones (the paper's priorities d − 1, …, 1 in
 * order of the steps). Only same-instant picks are steps; every other choice takes its seeded
 * value.
 */
import type { Candidate, Choice, Decider } from '../../sim/index.ts';

/** The chain (PCT's thread) of a candidate: see the module header. */
export function chainOf(candidate: Candidate): string {
  const about = candidate.about;
  if (about === null) return candidate.label;
  return `${about.host ?? '-'} ${about.kind ?? '-'}`;
}

export class PctScheduler implements Decider {
  /** Same-instant picks decided so far: PCT's steps. */
  picks = 0;
  readonly #random: () => number;
  /** After these picks (numbered from 1), the chain just chosen is lowered. */
  readonly #changePoints: ReadonlySet<number>;
  /** Every chain seen, highest priority first; the lowered ones are the last `#lowered`. */
  readonly #ranking: string[] = [];
  #lowered = 0;

  constructor(random: () => number, changePoints: readonly number[]) {
    this.#random = random;
    this.#changePoints = new Set(changePoints);
  }

  decide(choice: Choice): number | undefined {
    const candidates = choice.candidates;
    if (choice.kind !== 'pick' || candidates === null) return undefined;
    this.picks++;
    const chains = candidates.map(chainOf);
    for (const chain of chains) this.#meet(chain);
    const ranks = chains.map((chain) => this.#ranking.indexOf(chain));
    const best = ranks.indexOf(Math.min(...ranks));
    if (this.#changePoints.has(this.picks)) this.#lower(chains[best] as string);
    return best;
  }

  /** Gives a chain seen for the first time its random place among the chains not lowered. */
  #meet(chain: string): void {
    const ranking = this.#ranking;
    if (ranking.includes(chain)) return;
    const place = Math.floor(this.#random() * (ranking.length - this.#lowered + 1));
    ranking.splice(place, 0, chain);
  }

  /** Drops `chain` below every other chain. */
  #lower(chain: string): void {
    const ranking = this.#ranking;
    const rank = ranking.indexOf(chain);
    if (rank < ranking.length - this.#lowered) this.#lowered++;
    ranking.splice(rank, 1);
    ranking.push(chain);
  }
}
