/**
 * A campaign (docs/design.md#exploration): one scenario run under a strategy (strategy.ts) until
 * the run budget, the caller's budget (`shouldStop`, e.g. `wsksim fuzz --time`), `bail` or the
 * strategy's own end (an exhaustive tree done). Every run is recorded and the campaign goes on
 * after a failure, so nothing is lost; the first failure is kept whole for its report. A scenario
 * that declares the failure it demonstrates (`expect`) is judged on that: its failures must all
 * be the expected one, and it must fail that way at least once. The goals the runs named
 * (Simulation.sometimes) are merged, and those never reached are reported. Failures are grouped by
 * signature (signature.ts); the first run of each group is kept whole, with its tape (a run no
 * strategy decided is not recorded, for speed, so it is run again once, recorded) and its request,
 * for the group's artifact (artifact.ts).
 */
import { SimConfigError, checkInteger } from '../sim/index.ts';
import { resolveFuzzSpace } from './fuzz-space.ts';
import {
  failsAsExpected,
  runScenario,
  type RunRequest,
  type Scenario,
  type ScenarioResult,
} from './scenario.ts';
import { failureSignature } from './signature.ts';
import { makeStrategy } from './strategies/index.ts';
import {
  DEFAULT_STRATEGY,
  WAIT,
  type Digest,
  type RunPlan,
  type Strategy,
  type StrategyName,
  type StrategyParams,
} from './strategy.ts';

export interface CampaignRequest {
  /** @defaultValue DEFAULT_STRATEGY */
  readonly strategy?: StrategyName;
  readonly params?: StrategyParams;
  /** The campaign seed: run i has seed `seed + i`. @defaultValue 1 */
  readonly seed?: number;
  /** The most runs. */
  readonly runs: number;
  /** What every run is asked besides what the strategy plans (`--set`, `--same-instant`). */
  readonly run?: Omit<RunRequest, 'seed'>;
  /** Stop after the first failure that is not the scenario's expected one. */
  readonly bail?: boolean;
  /** Asked after each run; true stops the campaign (a budget the caller keeps). */
  readonly shouldStop?: () => boolean;
  /**
   * Run only the indices in [from, to): a shard of a campaign whose strategy plans each run from
   * its seed alone (Strategy.seedOnly), so its runs are the unsharded campaign's runs with those
   * indices. A strategy that learns is sharded by campaign seed instead (the caller gives each
   * shard a campaign of its own); a range with it is a configuration error.
   */
  readonly range?: { readonly from: number; readonly to: number };
  /**
   * Called after each run, in index order (progress): its result, its plan, and what the
   * strategy has measured so far (Strategy.progress, '' when it measures nothing).
   */
  readonly onRun?: (result: ScenarioResult, plan: RunPlan, measured: () => string) => void;
}

/** One failing run, in brief. */
export interface CampaignFailure {
  /** The run's index in the campaign, from 0. */
  readonly run: number;
  readonly seed: number;
  /** The failure's rule id, or its kind when no rule is involved. */
  readonly what: string;
  readonly message: string;
  /** The failure the scenario declares (`expect`). */
  readonly expected: boolean;
  /** What the strategy varied in the run (RunPlan.note). */
  readonly note: string;
  /** The failure's signature (signature.ts): the same for the same bug. */
  readonly signature: string;
}

/** The failing runs of one signature: how many, and the first of them whole. */
export interface FailureGroup {
  readonly signature: string;
  readonly count: number;
  /** The first failing run of the group, in brief. */
  readonly first: CampaignFailure;
  /** That run's result, with its tape (recorded). */
  readonly result: ScenarioResult;
  /** The request that ran it (decider included). */
  readonly request: RunRequest;
}

export interface CampaignResult {
  readonly scenario: string;
  readonly strategy: StrategyName;
  /** The campaign seed. */
  readonly seed: number;
  /**
   * The lowest and highest seed a run had: `seed` and `seed + runs - 1` for a strategy that
   * gives run i seed `seed + i`, `seed` alone for one that runs every leaf on one seed.
   */
  readonly seeds: { readonly low: number; readonly high: number };
  /** The runs made. */
  readonly runs: number;
  /** The runs asked for. */
  readonly requested: number;
  /** What ended the campaign before `requested` runs. */
  readonly stopped?: 'bail' | 'budget' | 'exhausted';
  readonly passed: number;
  readonly failures: readonly CampaignFailure[];
  /** The failures grouped by signature, in the order each group was first seen. */
  readonly groups: readonly FailureGroup[];
  /** The first failing run, whole, and its plan. */
  readonly first?: ScenarioResult;
  readonly firstPlan?: RunPlan;
  readonly expect?: string;
  /** Runs whose check injected faults kept from applying (ScenarioDefinition.checkUnderFaults). */
  readonly checksSkipped: number;
  /** Every goal the runs named, and whether some run reached it. */
  readonly goals: ReadonlyMap<string, boolean>;
  /** What the strategy reached (Strategy.report). */
  readonly report: readonly string[];
  /** The verdict: see the module header. */
  readonly ok: boolean;
}

/**
 * How many runs a batch of an adaptive strategy holds at most: its runs are planned before any
 * of them is observed, so a campaign's runs do not depend on how many run at once (`wsksim fuzz
 * --jobs N`), only on this. The batches start small and double (batchEnd), so the first runs
 * teach the strategy at once (PCT's k, coverage's first corpus tape); a strategy may end a batch
 * sooner (WAIT), the same way whatever N. Once batches are this long, the next is planned before
 * the current one is observed (plansAhead), so a runner never waits at a boundary; the bench of
 * bug-finding power finds the same medians with 32, 64 or 256.
 */
export const ADAPTIVE_BATCH = 256;
/** The same for a seed-only strategy, whose plans no observation changes: as long as is useful. */
export const SEED_ONLY_BATCH = 256;

/** One run of a batch, as the campaign planned it. */
export interface PlannedRun {
  /** The run's index in the campaign, from 0. */
  readonly index: number;
  readonly plan: RunPlan;
  /** The campaign's base request with the plan's over it (planRequest). */
  readonly request: RunRequest;
  /** What the strategy learns from `result`, as a run of this plan (Strategy.digest). */
  readonly digest: (result: ScenarioResult) => Digest;
}

/** A batch: runs planned one after another, then run, then observed in index order. */
export interface Batch {
  /** The index of its first run (of the run it would have had, when it has none). */
  readonly from: number;
  readonly runs: readonly PlannedRun[];
  /** After the last run the strategy was asked for the next and said WAIT. */
  readonly waited: boolean;
  /** After the last run the strategy said it had nothing left (null). */
  readonly exhausted: boolean;
}

/** A run's outcome: its result and the digest of it made where it ran. */
export interface RunOutcome {
  readonly index: number;
  readonly result: ScenarioResult;
  readonly digest: Digest;
}

/**
 * What runs a campaign's batches: in this thread, one run after another (the default), or on
 * worker threads (src/cli/pool). It hands each outcome to `take` in index order, awaiting it,
 * and hands no more once `take` returns false (the campaign stops).
 */
export interface CampaignRunner {
  runBatch(batch: Batch, take: (outcome: RunOutcome) => Promise<boolean>): Promise<void>;
  /**
   * A batch as soon as it is planned: a runner may start its runs at once. Every batch is handed
   * over once, in index order, before runBatch is called for it; the one after the batch about to
   * run may be handed over before that runs (plansAhead), and may hold no run (it waited at once).
   */
  handOver?(batch: Batch): void;
}

/** The runner of this thread: each run in index order. */
export function inThreadRunner<H>(scenario: Scenario<H>): CampaignRunner {
  return {
    async runBatch(batch, take) {
      for (const run of batch.runs) {
        const result = await runScenario(scenario, run.request);
        if (!(await take({ index: run.index, result, digest: run.digest(result) }))) return;
      }
    },
  };
}

/**
 * A failure of kind 'hang': a run that did not end within the wall-clock bound of a runner that
 * keeps one (`wsksim fuzz --run-timeout`). It has no tape, is not run again for one, and every
 * hang of a campaign is one failure group, of signature 'hang'.
 */
export const HANG = 'hang';

/** The strategy a campaign plans with (every replica of it: one per worker thread). */
export function campaignStrategy<H>(
  scenario: Scenario<H>,
  request: Pick<CampaignRequest, 'strategy' | 'params' | 'seed' | 'runs'>,
): Strategy {
  return makeStrategy(request.strategy ?? DEFAULT_STRATEGY, {
    scenario: scenario as Scenario<unknown>,
    seed: checkInteger('seed', request.seed ?? 1, 0, Number.MAX_SAFE_INTEGER),
    runs: checkInteger('runs', request.runs, 1, 1_000_000_000),
    space: resolveFuzzSpace(scenario.fuzz),
    params: request.params ?? {},
  });
}

/**
 * Where the batch from run `from` of `strategy` ends at most: it holds `from` runs (one for the
 * first), up to ADAPTIVE_BATCH or SEED_ONLY_BATCH, so the boundaries are 1, 2, 4, 8, ..., 128,
 * 256, 512, 768, ...: fixed run indexes.
 */
export function batchEnd(strategy: Strategy, from: number): number {
  return from + Math.min(Math.max(from, 1), strategy.seedOnly ? SEED_ONLY_BATCH : ADAPTIVE_BATCH);
}

/**
 * The batch from run `from`: plans asked in index order until `end`, WAIT or null. Every replica
 * of the strategy makes the same calls (next() for each run, and once more when it said WAIT).
 * A batch planned ahead (`ahead`) may wait before its first run: the runs it waits for are the
 * batch before it, not observed yet.
 */
export function planBatch(
  strategy: Strategy,
  from: number,
  end: number,
  base: Omit<RunRequest, 'seed'>,
  ahead = false,
): Batch {
  const runs: PlannedRun[] = [];
  for (let index = from; index < end; index++) {
    const plan = strategy.next(index);
    if (plan === null) return { from, runs, waited: false, exhausted: true };
    if (plan === WAIT) {
      if (runs.length === 0 && !ahead)
        throw new Error(`${strategy.name}: waits with no run planned`);
      return { from, runs, waited: true, exhausted: false };
    }
    const request = planRequest(base, plan);
    runs.push({ index, plan, request, digest: (result) => strategy.digest(plan, result) });
  }
  return { from, runs, waited: false, exhausted: false };
}

/**
 * Whether the batch after `batch` is planned before `batch` is observed: once batches are as
 * long as they get (a runner would otherwise stop at every boundary until the main thread has
 * observed one batch and planned the next), and when `batch` neither waited nor ended the plans.
 * So an adaptive strategy learns from run i from run i + 2 × ADAPTIVE_BATCH on at the latest,
 * whatever runs it (in this thread or on N workers): the campaign stays the same for every N.
 */
export function plansAhead(strategy: Strategy, batch: Batch, end: number): boolean {
  const full = strategy.seedOnly ? SEED_ONLY_BATCH : ADAPTIVE_BATCH;
  const to = batch.from + batch.runs.length;
  return batch.runs.length === full && !batch.waited && !batch.exhausted && to < end;
}

/** The indices a campaign runs: all of them, or a seed-only strategy's shard (`range`). */
function campaignRange(
  range: CampaignRequest['range'],
  runs: number,
  strategy: Strategy,
): { from: number; to: number } {
  if (range === undefined) return { from: 0, to: runs };
  if (!strategy.seedOnly)
    throw new SimConfigError('range', `${strategy.name} learns from its runs: shard by seed`);
  const from = checkInteger('range.from', range.from, 0, runs);
  return { from, to: checkInteger('range.to', range.to, from, runs) };
}

/**
 * Runs `[from, end)` of a campaign in batches: each planned (planBatch) and handed to the runner
 * (handOver), the next planned and handed over ahead when it may be (plansAhead), then each run's
 * outcome observed by the strategy and given to `take`, in index order, until `take` says stop.
 * Returns whether the strategy ran out of plans.
 */
export async function runBatches(
  strategy: Strategy,
  span: { readonly from: number; readonly end: number; readonly base: Omit<RunRequest, 'seed'> },
  runner: CampaignRunner,
  take: (run: PlannedRun, outcome: RunOutcome) => Promise<boolean>,
): Promise<boolean> {
  const { end, base } = span;
  const plan = (from: number, ahead = false): Batch =>
    planBatch(strategy, from, Math.min(end, batchEnd(strategy, from)), base, ahead);
  if (span.from >= end) return false;
  let batch = plan(span.from);
  let handed = false;
  for (;;) {
    if (!handed) runner.handOver?.(batch);
    const to = batch.from + batch.runs.length;
    const ahead = plansAhead(strategy, batch, end) ? plan(to, true) : null;
    if (ahead !== null) runner.handOver?.(ahead);
    const { from, runs } = batch;
    let going = true;
    const observe = async (outcome: RunOutcome): Promise<boolean> => {
      const run = runs[outcome.index - from] as PlannedRun;
      strategy.observe(run.plan, outcome.digest);
      return (going = await take(run, outcome));
    };
    if (runs.length > 0) await runner.runBatch(batch, observe);
    const exhausted = batch.exhausted || (ahead?.exhausted === true && ahead.runs.length === 0);
    if (!going || exhausted) return going && exhausted;
    if (to >= end) return false;
    // A batch planned ahead that waited at once is asked again, now that its wait is observed.
    batch = ahead !== null && ahead.runs.length > 0 ? ahead : plan(to);
    handed = batch === ahead;
  }
}

/**
 * A campaign: see the module header. Runs go in batches (planBatch, batchEnd), each observed
 * in index order once planned, the next one planned first when it plans ahead (plansAhead), so
 * the campaign is the same whatever `runner` runs them.
 */
export async function runCampaign<H>(
  scenario: Scenario<H>,
  request: CampaignRequest,
  runner: CampaignRunner = inThreadRunner(scenario),
): Promise<CampaignResult> {
  const seed = checkInteger('seed', request.seed ?? 1, 0, Number.MAX_SAFE_INTEGER);
  const runs = checkInteger('runs', request.runs, 1, 1_000_000_000);
  const name = request.strategy ?? DEFAULT_STRATEGY;
  const strategy = campaignStrategy(scenario, { ...request, strategy: name, seed, runs });
  const tally = new Tally(scenario as Scenario<unknown>);
  const base = request.run ?? {};
  const measured = (): string => strategy.progress?.() ?? '';
  const { from: first, to: end } = campaignRange(request.range, runs, strategy);
  let stopped: CampaignResult['stopped'];
  const take = async (run: PlannedRun, { index, result }: RunOutcome): Promise<boolean> => {
    request.onRun?.(result, run.plan, measured);
    const failure = tally.add(index, run.plan, result);
    if (failure !== null && tally.isNew(failure.signature))
      tally.open(failure, await recorded(scenario, run.request, result), run.request);
    if (request.bail === true && failure !== null && !failure.expected) stopped = 'bail';
    else if (index + 1 < end && request.shouldStop?.() === true) stopped = 'budget';
    return stopped === undefined;
  };
  const exhausted = await runBatches(strategy, { from: first, end, base }, runner, take);
  if (exhausted && stopped === undefined) stopped = 'exhausted';
  return tally.result(name, seed, end - first, stopped, strategy);
}

/**
 * The run of seed `seed` under a strategy whose plans depend on the seed alone (`wsksim run
 * --strategy`, ScenarioDefinition.failingRuns), and its plan. Another strategy throws
 * SimConfigError naming it: its runs depend on the campaign's earlier runs.
 */
export function seedOnlyRun<H>(
  scenario: Scenario<H>,
  name: StrategyName,
  seed: number,
  params: StrategyParams = {},
): RunPlan {
  const context = {
    scenario: scenario as Scenario<unknown>,
    seed,
    runs: 1,
    space: resolveFuzzSpace(scenario.fuzz),
    params,
  };
  const strategy = makeStrategy(name, context);
  if (!strategy.seedOnly) {
    throw new SimConfigError(
      'strategy',
      `a ${name} run depends on the campaign's earlier runs; ` +
        `make it again with 'wsksim fuzz ... --strategy ${name}'`,
    );
  }
  return strategy.next(0) as RunPlan;
}

/**
 * `result` with its tape: as it is when the run was recorded, or else the same run again, recorded
 * (runs are deterministic, and recording does not change what a run draws).
 */
async function recorded<H>(
  scenario: Scenario<H>,
  request: RunRequest,
  result: ScenarioResult,
): Promise<ScenarioResult> {
  if (result.tape !== undefined || result.failure?.kind === HANG) return result;
  const again = await runScenario(scenario, { ...request, record: true });
  return again.traceHash === result.traceHash ? { ...result, tape: again.tape ?? [] } : result;
}

/** A plan's run request: the campaign's knobs, the strategy's over them (but `--set` wins). */
export function planRequest(base: Omit<RunRequest, 'seed'>, plan: RunPlan): RunRequest {
  const { request } = plan;
  const sameInstant = base.sameInstantChoice === true || request.sameInstantChoice === true;
  return {
    ...base,
    ...request,
    seed: plan.seed,
    ...(base.kernel !== undefined && { kernel: base.kernel }),
    ...(sameInstant && { sameInstantChoice: true }),
    // A strategy's run is recorded: its result's tape replays it (for the sited re-run, a report).
    ...(request.decider !== undefined && { record: true }),
  };
}

/** The campaign's books: runs, failures, goals. */
class Tally {
  readonly #scenario: Scenario<unknown>;
  readonly #failures: CampaignFailure[] = [];
  readonly #goals = new Map<string, boolean>();
  readonly #groups = new Map<string, { count: number; group: Omit<FailureGroup, 'count'> }>();
  #runs = 0;
  #seeds = { low: Infinity, high: -Infinity };
  #checksSkipped = 0;
  #first: { result: ScenarioResult; plan: RunPlan } | undefined;

  constructor(scenario: Scenario<unknown>) {
    this.#scenario = scenario;
  }

  /** Books one run; returns its failure in brief, or null when it passed. */
  add(index: number, plan: RunPlan, result: ScenarioResult): CampaignFailure | null {
    this.#runs++;
    const { low, high } = this.#seeds;
    this.#seeds = { low: Math.min(low, plan.seed), high: Math.max(high, plan.seed) };
    if (result.checkSkipped) this.#checksSkipped++;
    for (const [goal, reached] of result.goals)
      this.#goals.set(goal, reached || this.#goals.get(goal) === true);
    const failure = result.failure;
    if (failure === undefined) return null;
    this.#first ??= { result, plan };
    const brief: CampaignFailure = {
      run: index,
      seed: result.seed,
      what: failure.details?.rule ?? failure.kind,
      message: failure.message,
      expected: failsAsExpected(this.#scenario, result),
      note: plan.note,
      // Every hang is one group, whatever its message names (seed, run).
      signature: failure.kind === HANG ? HANG : failureSignature(failure),
    };
    this.#failures.push(brief);
    const group = this.#groups.get(brief.signature);
    if (group !== undefined) group.count++;
    return brief;
  }

  /** No group has this signature yet. */
  isNew(signature: string): boolean {
    return !this.#groups.has(signature);
  }

  /** Opens the group of `first`, whose run is `result` (with its tape), made by `request`. */
  open(first: CampaignFailure, result: ScenarioResult, request: RunRequest): void {
    this.#groups.set(first.signature, {
      count: 1,
      group: { signature: first.signature, first, result, request },
    });
  }

  result(
    strategy: StrategyName,
    seed: number,
    requested: number,
    stopped: CampaignResult['stopped'],
    planner: Strategy,
  ): CampaignResult {
    const failures = this.#failures;
    const expect = this.#scenario.expect;
    const ok =
      expect === undefined
        ? failures.length === 0
        : failures.length > 0 && failures.every((f) => f.expected);
    return {
      scenario: this.#scenario.name,
      strategy,
      seed,
      seeds: this.#runs === 0 ? { low: seed, high: seed } : this.#seeds,
      runs: this.#runs,
      requested,
      ...(stopped !== undefined && this.#runs < requested && { stopped }),
      passed: this.#runs - failures.length,
      failures,
      groups: [...this.#groups.values()].map(({ count, group }) => ({ ...group, count })),
      ...(this.#first !== undefined && { first: this.#first.result, firstPlan: this.#first.plan }),
      ...(expect !== undefined && { expect }),
      checksSkipped: this.#checksSkipped,
      goals: this.#goals,
      report: planner.report(),
      ok,
    };
  }
}
