/**
 * `coverage`: greybox fuzzing over choice tapes, as AFL does over files ("Technical whitepaper
 * for afl-fuzz", https://lcamtuf.coredump.cx/afl/technical_details.txt) and Zest and Hypothesis
 * over a generator's choices ("Semantic Fuzzing with Zest", Padhye et al., ISSTA 2019). Each run
 * is measured by its coverage (coverage-map.ts: the model's transitions it took, with hit-count
 * buckets, and the goals it reached); a passing run that reached a point no earlier passing run
 * did joins the corpus (corpus.ts), as its tape of draws. Each later run either explores a fresh
 * seed (one run in four, and every run while the corpus is empty) or mutates a corpus tape,
 * chosen the more often the rarer the points it found (tape-mutations.ts: flip a chance, move a
 * value, repick a same-instant ordering, reset a block to defaults, splice with another corpus
 * tape), and follows the mutant softly (guided-decider.ts): what the mutant no longer matches,
 * and every draw past its end, takes run i's seeded value, seed S+i.
 *
 * Every run offers the allocation fault points (a flip there fails an allocation: the error
 * paths are coverage too) and hands same-instant events to the choice source (a repick there
 * reorders them), so every tape has the same kinds of draws. Nothing else is raised: a link's
 * loss, duplication or reordering is a choice only where the scenario gave it a probability, so a
 * mutant never makes a link lossy the scenario did not allow. As AFL does with crashes, a failing
 * run is counted but neither joins the corpus nor adds to the coverage.
 *
 * Runs depend on the earlier runs (seedOnly false): a run is made again by the campaign up to it.
 */
import seedrandom from 'seedrandom';
import { streamState } from '../../sim/stream-seed.ts';
import { Corpus, type CorpusEntry } from '../corpus.ts';
import { CoverageMap } from '../coverage-map.ts';
import { GuidedDecider, type Draw } from '../guided-decider.ts';
import { mutate, type Random } from '../tape-mutations.ts';
import type { ScenarioResult } from '../scenario.ts';
import type { CampaignContext, Digest, RunPlan, Strategy } from '../strategy.ts';

/** The share of runs that explore a fresh seed once the corpus has a tape. */
const FRESH_SHARE = 0.25;

/**
 * What a run tells: the goals it named; when it passed, the transitions and points it covered
 * (coverage-map.ts), each known one by its number (Known), and its draws (its tape) when it may
 * join the corpus.
 */
interface CoverageDigest {
  readonly goals: readonly (readonly [string, boolean])[];
  readonly failed: boolean;
  readonly transitions?: readonly (number | string)[];
  readonly points?: readonly (number | string)[];
  readonly draws?: readonly Draw[];
}

/**
 * Names that passing runs reached, each numbered in the order it was first observed. A digest
 * (made where its run ran, `wsksim fuzz --jobs N`) names a known one by its number, which every
 * replica of the strategy gives it, since replicas observe the same runs in the same order and
 * numbers are only ever added: a run's coverage crosses threads as a few hundred numbers rather
 * than the names themselves.
 */
class Known {
  readonly #names: string[] = [];
  readonly #numbers = new Map<string, number>();

  get size(): number {
    return this.#names.length;
  }

  /** `names`, the known ones as numbers. */
  encode(names: readonly string[]): (number | string)[] {
    return names.map((name) => this.#numbers.get(name) ?? name);
  }

  /** The names of an encoded list; the new ones become known. */
  decode(encoded: readonly (number | string)[]): string[] {
    return encoded.map((item) => {
      if (typeof item === 'number') return this.#names[item] as string;
      if (!this.#numbers.has(item)) {
        this.#numbers.set(item, this.#names.length);
        this.#names.push(item);
      }
      return item;
    });
  }
}

/** What a planned run is measured with, until its result comes back. */
interface Probe {
  readonly run: number;
  readonly decider: GuidedDecider;
  readonly map: CoverageMap;
  readonly fresh: boolean;
}

export function coverageStrategy(context: CampaignContext): Strategy {
  return new CoverageStrategy(context);
}

class CoverageStrategy implements Strategy {
  readonly name = 'coverage';
  readonly seedOnly = false;
  readonly #seed: number;
  readonly #random: Random;
  readonly #corpus = new Corpus();
  readonly #probes = new Map<RunPlan, Probe>();
  /** The transitions passing runs took. */
  readonly #transitions = new Known();
  /** The points passing runs reached (the corpus counts their hits). */
  readonly #points = new Known();
  readonly #goals = new Map<string, boolean>();
  #fresh = 0;
  #mutants = 0;
  #keptMutants = 0;
  #failed = 0;

  constructor(context: CampaignContext) {
    this.#seed = context.seed;
    const state = streamState(context.seed, 'coverage');
    this.#random = seedrandom.xor128('', { state });
  }

  next(index: number): RunPlan {
    const fresh = this.#corpus.size === 0 || this.#random() < FRESH_SHARE;
    const { guide, note } = fresh ? { guide: [], note: 'fresh seed' } : this.#mutant();
    const decider = new GuidedDecider(guide);
    const map = new CoverageMap();
    const plan: RunPlan = {
      seed: this.#seed + index,
      request: { decider, onRecord: map.listener, faultPoints: true, sameInstantChoice: true },
      note,
    };
    this.#probes.set(plan, { run: index, decider, map, fresh });
    return plan;
  }

  digest(plan: RunPlan, result: ScenarioResult): CoverageDigest | null {
    const probe = this.#probes.get(plan);
    if (probe === undefined) return null;
    const goals = [...result.goals];
    if (result.failure !== undefined) return { goals, failed: true };
    const map = probe.map;
    map.reach(result.goals);
    const points = this.#points.encode(map.points());
    // Only a run that reached a point no passing run had may join the corpus (see observe).
    const joins = this.#corpus.size === 0 || points.some((p) => typeof p === 'string');
    return {
      goals,
      failed: false,
      transitions: this.#transitions.encode(map.transitions()),
      points,
      ...(joins && { draws: probe.decider.draws() }),
    };
  }

  observe(plan: RunPlan, digest: Digest): void {
    const probe = this.#probes.get(plan);
    if (probe === undefined || digest === null) return;
    const run = digest as CoverageDigest;
    this.#probes.delete(plan);
    if (probe.fresh) this.#fresh++;
    else this.#mutants++;
    for (const [goal, reached] of run.goals)
      this.#goals.set(goal, reached || this.#goals.get(goal) === true);
    if (run.failed) {
      this.#failed++;
      return;
    }
    this.#transitions.decode(run.transitions ?? []);
    const found = this.#corpus.count(this.#points.decode(run.points ?? []));
    if (found.length > 0 || this.#corpus.size === 0) {
      this.#corpus.add({ run: probe.run, draws: run.draws ?? [], found });
      if (!probe.fresh) this.#keptMutants++;
    }
  }

  progress(): string {
    return `coverage ${this.#transitions.size} transitions`;
  }

  report(): readonly string[] {
    const unreached = [...this.#goals].filter(([, reached]) => !reached).map(([goal]) => goal);
    return [
      `${this.#transitions.size} transitions reached by passing runs ` +
        `(${this.#points.size} points with hit counts)`,
      `corpus: ${this.#corpus.size} tapes; runs: ${this.#fresh} fresh, ` +
        `${this.#mutants} mutants (${this.#keptMutants} kept), ${this.#failed} failed`,
      ...(unreached.length > 0 ? [`goals never reached: ${unreached.join(', ')}`] : []),
    ];
  }

  /** A mutant of a corpus tape, spliced (when it comes to that) with another corpus tape. */
  #mutant(): { guide: readonly Draw[]; note: string } {
    const base = this.#corpus.choose(this.#random) as CorpusEntry;
    const other = this.#corpus.choose(this.#random, base);
    const { tape, edits } = mutate(base.draws, other?.draws ?? null, this.#random);
    const spliced = edits.some((edit) => edit.startsWith('splice'));
    const source = `run ${base.run}${spliced && other !== null ? ` + run ${other.run}` : ''}`;
    return { guide: tape, note: `mutant of ${source}: ${edits.join(', ') || 'no edit applies'}` };
  }
}
