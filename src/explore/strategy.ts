/**
 * The strategy seam of a campaign (docs/design.md#exploration): a strategy plans each run of a
 * campaign (its seed and what it varies beyond the seed: a decider, fault points, kernel knobs,
 * link faults, same-instant choice) and learns from each result. The campaign (campaign.ts) runs
 * the plans, records every failure and goes on. Every strategy but one gives run i the seed
 * `campaign seed + i`, so what it does not target is drawn from that run's seed as under `random`;
 * `exhaustive` runs every leaf of its tree on the campaign seed, since its tree is over the
 * choices it varies and nothing else.
 */
import type { RunRequest, Scenario, ScenarioResult } from './scenario.ts';
import type { ResolvedFuzzSpace } from './fuzz-space.ts';

/** The strategies, by the name `wsksim fuzz --strategy` takes. */
export const STRATEGY_NAMES = [
  'random',
  'swarm',
  'systematic',
  'pct',
  'exhaustive',
  'coverage',
  'portfolio',
] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/**
 * The strategy of a campaign that names none: the portfolio (strategies/portfolio.ts), which
 * shares the runs among the others, since no one strategy finds every bug soonest.
 */
export const DEFAULT_STRATEGY: StrategyName = 'portfolio';

/** One run as a strategy plans it. */
export interface RunPlan {
  readonly seed: number;
  /** What the run is asked besides its seed; merged over the campaign's base request. */
  readonly request: Omit<RunRequest, 'seed'>;
  /**
   * What the strategy varied in this run, for a failure's report: the swarm draw, the sites a
   * systematic run failed, PCT's depth and change points. Empty when nothing beyond the seed.
   */
  readonly note: string;
}

/** Parameters of the strategies, from `wsksim fuzz` flags or the API. */
export interface StrategyParams {
  /** pct: the bug depth d (priority change points + 1). @defaultValue 3 */
  readonly depth?: number;
  /** systematic: how many allocation sites a run fails together, at most. @defaultValue 2 */
  readonly faults?: number;
  /** exhaustive: the labels to vary (a label matches when it contains any of these). */
  readonly vary?: readonly string[];
  /** exhaustive: the most runs. @defaultValue the campaign's runs */
  readonly limit?: number;
}

/** What a strategy knows of its campaign. */
export interface CampaignContext {
  readonly scenario: Scenario<unknown>;
  /** The campaign seed: run i has seed `seed + i` (every run, under `exhaustive`). */
  readonly seed: number;
  /** The campaign's run budget. */
  readonly runs: number;
  /** What the scenario lets a campaign vary. */
  readonly space: ResolvedFuzzSpace;
  readonly params: StrategyParams;
}

/**
 * What a strategy's next() says when it cannot plan run `index` before the runs it has planned
 * are observed (exhaustive's next leaf, systematic's sets of k sites whose subsets are running):
 * the campaign ends the batch there, observes it, and asks again (campaign.ts).
 */
export const WAIT = 'wait';
export type Wait = typeof WAIT;

/**
 * What a strategy learns from one run, as plain data (structured-clone-able): made by digest()
 * where the run ran, from its plan (the plan's decider, after the run) and its result, and handed
 * to observe() in every replica of the strategy (`wsksim fuzz --jobs N`: one per worker thread).
 */
export type Digest = unknown;

export interface Strategy {
  readonly name: StrategyName;
  /**
   * The plan of a run depends on its seed alone (random, swarm): `wsksim run <scenario> --strategy
   * <name> --seed N` makes the campaign's run of seed N again. Other strategies learn from earlier
   * runs, and their run is made again by the campaign up to it (same campaign seed, same runs).
   */
  readonly seedOnly: boolean;
  /**
   * The plan of run `index` (from 0); null when the strategy has covered all it can; WAIT when it
   * needs the runs it planned observed first. Runs are planned in index order; the campaign may
   * plan several (a batch) before it observes them, in index order too.
   */
  next(index: number): RunPlan | Wait | null;
  /** What observe() is to learn from a run (see Digest); changes nothing in the strategy. */
  digest(plan: RunPlan, result: ScenarioResult): Digest;
  /** Learns from a run's digest (the plan it was given is passed back). */
  observe(plan: RunPlan, digest: Digest): void;
  /** What the campaign reached, one fact per line (completeness, coverage, depth, sites). */
  report(): readonly string[];
  /** What it has measured so far, in a few words for a live progress line ('412 transitions'). */
  progress?(): string;
}

/** Makes a strategy for a campaign (strategies/index.ts registers one per name). */
export type StrategyFactory = (context: CampaignContext) => Strategy;

/** Learns from a run where it ran: observe() of the run's digest. */
export function observeRun(strategy: Strategy, plan: RunPlan, result: ScenarioResult): void {
  strategy.observe(plan, strategy.digest(plan, result));
}

/** A plan that varies nothing beyond the seed. */
export function seedPlan(seed: number): RunPlan {
  return { seed, request: {}, note: '' };
}
