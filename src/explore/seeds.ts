/**
 * The seed loop: a campaign (campaign.ts) under the `random` strategy, in the shape callers have
 * used since before strategies: one scenario run on N consecutive seeds. Every run is recorded and
 * the loop goes on after a failure, so a campaign loses nothing; the first failure is kept whole
 * for its report and replay command. A
 * scenario that declares the failure it demonstrates (`expect`,
 * docs/design.md#scenarios-may-not-lower-a-rule) is judged on that: its failures must all be the
 * expected one, and it must fail that way at least once.
 *
 * Budgets end a campaign early: `bail` at the first failure that is not the expected one (for a
 * scenario without `expect`, any failure), `shouldStop` when the caller says so (`wsksim fuzz
 * --time`: the CLI reads the wall clock; nothing here does). Either way at least one seed runs.
 */
import { checkInteger } from '../sim/index.ts';
import { runCampaign } from './campaign.ts';
import type { RunRequest, Scenario, ScenarioResult } from './scenario.ts';

export interface SeedLoopRequest {
  /** The first seed. @defaultValue 1 */
  readonly from?: number;
  /** How many seeds, from `from` on. */
  readonly runs: number;
  /** Called after each run (progress). */
  readonly onRun?: (result: ScenarioResult) => void;
  /** What every run is asked besides its seed (kernel overrides, same-instant choice). */
  readonly run?: Omit<RunRequest, 'seed'>;
  /** Stop after the first failure that is not the scenario's expected one. */
  readonly bail?: boolean;
  /** Asked after each run; true stops the loop (a budget the caller keeps). */
  readonly shouldStop?: () => boolean;
}

/** One failing seed, in brief. */
export interface SeedFailure {
  readonly seed: number;
  /** The failure's rule id, or its kind when no rule is involved. */
  readonly what: string;
  readonly message: string;
  /** The failure the scenario declares (`expect`). */
  readonly expected: boolean;
}

export interface SeedLoopResult {
  readonly scenario: string;
  /** The seeds run: `requested`, or fewer when a budget stopped the loop. */
  readonly runs: number;
  /** The seeds asked for (SeedLoopRequest.runs). */
  readonly requested: number;
  /** What stopped the loop before `requested` seeds: `bail` or the caller's `shouldStop`. */
  readonly stopped?: 'bail' | 'budget';
  readonly passed: number;
  readonly failures: readonly SeedFailure[];
  /** The first failing run, whole. */
  readonly first?: ScenarioResult;
  /** The scenario's `expect`, when it declares one. */
  readonly expect?: string;
  /**
   * The verdict: no failure at all; or, for a scenario with `expect`, every failure the
   * expected one and at least one of them.
   */
  readonly ok: boolean;
}

export async function runSeeds<H>(
  scenario: Scenario<H>,
  request: SeedLoopRequest,
): Promise<SeedLoopResult> {
  const from = checkInteger('from', request.from ?? 1, 0, Number.MAX_SAFE_INTEGER);
  const { onRun } = request;
  const campaign = await runCampaign(scenario, {
    strategy: 'random',
    seed: from,
    runs: request.runs,
    ...(request.run !== undefined && { run: request.run }),
    ...(request.bail !== undefined && { bail: request.bail }),
    ...(request.shouldStop !== undefined && { shouldStop: request.shouldStop }),
    ...(onRun !== undefined && { onRun: (result: ScenarioResult) => onRun(result) }),
  });
  const { scenario: name, runs, requested, stopped, passed, first, expect, ok } = campaign;
  return {
    scenario: name,
    runs,
    requested,
    ...(stopped !== undefined && stopped !== 'exhausted' && { stopped }),
    passed,
    failures: campaign.failures.map(({ seed, what, message, expected }) => ({
      seed,
      what,
      message,
      expected,
    })),
    ...(first !== undefined && { first }),
    ...(expect !== undefined && { expect }),
    ok,
  };
}
