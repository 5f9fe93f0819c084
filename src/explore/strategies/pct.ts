/**
 * `pct`: Probabilistic Concurrency Testing over the events due at one instant (Burckhardt,
 * Kothari, Musuvathi, Nagarakatte, "A Randomized Scheduler with Probabilistic Guarantees of
 * Finding Bugs", ASPLOS 2010; docs/design.md#exploration links it). A bug of depth d needs d
 * orderings to go one way; with n chains and k steps one run finds it with probability at least
 * 1/(n·k^(d−1)), where a seeded shuffle of every instant may need far more runs.
 *
 * Each run sets `sameInstantChoice` and plugs in a PctScheduler (pct-scheduler.ts): random chain
 * priorities and d − 1 change points drawn uniformly, without repeats, among the first k picks.
 * Run i has seed `campaign seed + i`; its priorities and change points come from that seed's 'pct'
 * stream, and every other choice takes its seeded value. k is learned: the most picks any earlier
 * run made (50 before the first run), so a run's plan depends on the campaign's earlier runs and
 * the strategy is not seed-only.
 *
 * Left out: the paper's freedom over events that are not due at one instant (a window of nearby
 * instants). Firing an event due later first delays the earlier ones past their due time: a
 * packet then arrives later than its link's latency and jitter allow and a timer fires late, a
 * different network from the one the scenario built rather than another order of the same one;
 * and a strategy that picks without chains (random, exhaustive) would let a packet overtake an
 * earlier one on a link that never reorders. Only events due at one instant, equally ready, are
 * ordered.
 */
import seedrandom from 'seedrandom';
import { checkInteger, streamState, type Tape } from '../../sim/index.ts';
import type { CampaignContext, RunPlan, Strategy } from '../strategy.ts';
import { PctScheduler } from './pct-scheduler.ts';

/** The bug depth when the campaign names none. */
export const DEFAULT_DEPTH = 3;
/** The steps a run is taken to have before any run has been seen. */
export const DEFAULT_STEPS = 50;

export function pctStrategy(context: CampaignContext): Strategy {
  const depth = checkInteger('depth', context.params.depth ?? DEFAULT_DEPTH, 1, 1000);
  let steps = DEFAULT_STEPS;
  let runs = 0;
  const orderings = new Set<string>();
  return {
    name: 'pct',
    seedOnly: false,
    next: (index) => pctPlan(context.seed + index, depth, steps),
    digest: (_plan, result): PctDigest => {
      const picks = pickSequence(result.tape ?? []);
      return { steps: picks.length, ordering: picks.join(',') };
    },
    observe: (_plan, digest) => {
      const { steps: picks, ordering } = digest as PctDigest;
      steps = runs === 0 ? picks : Math.max(steps, picks);
      runs++;
      orderings.add(ordering);
    },
    report: () => [
      `depth ${depth}, k ${steps} (the most same-instant picks in a run), ${runs} runs, ` +
        `${orderings.size} distinct orderings`,
    ],
  };
}

/** What a PCT run tells: how many same-instant picks it made, and their values. */
interface PctDigest {
  readonly steps: number;
  readonly ordering: string;
}

/** The run of `seed`: PCT's scheduler with its change points among the first `steps` picks. */
function pctPlan(seed: number, depth: number, steps: number): RunPlan {
  const random = seedrandom.xor128('', { state: streamState(seed, 'pct') });
  const changePoints = drawChangePoints(random, depth - 1, steps);
  const decider = new PctScheduler(random, changePoints);
  const points = changePoints.join(', ');
  const where = points === '' ? 'no change points' : `change points at picks ${points}`;
  return {
    seed,
    request: { sameInstantChoice: true, decider },
    note: `pct: depth ${depth}, k ${steps}, ${where}`,
  };
}

/** `count` distinct picks among 1..`steps` (all of them when there are fewer), ascending. */
function drawChangePoints(random: () => number, count: number, steps: number): number[] {
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, steps)) chosen.add(1 + Math.floor(random() * steps));
  return [...chosen].sort((a, b) => a - b);
}

/** The values of a run's same-instant picks, in order: the ordering it took. */
function pickSequence(tape: Tape): number[] {
  return tape.filter((entry) => entry.label.startsWith('same-instant ')).map((e) => e.value ?? 0);
}
