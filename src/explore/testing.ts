/**
 * Helpers for a team's own test suites (vitest, Jest, node:test): a scenario's declared seeds as
 * one assertion, and a fuzz campaign as a plain result to assert on. They throw ordinary Errors
 * with the failing seeds' accounts, so any runner reports them; nothing here imports a runner.
 */
import { runCampaign } from './campaign.ts';
import {
  failsAsExpected,
  runScenario,
  type RunRequest,
  type Scenario,
  type ScenarioResult,
} from './scenario.ts';
import type { StrategyName, StrategyParams } from './strategy.ts';

export interface ScenarioPassOptions {
  /** The seeds to run. @defaultValue the scenario's declared `seeds` */
  readonly seeds?: readonly number[];
  /** What every run is asked besides its seed (kernel options, same-instant choice…). */
  readonly run?: Omit<RunRequest, 'seed'>;
}

/**
 * Runs each seed and resolves to the results when every one passes, or fails the way the
 * scenario's `expect` says (a bug scenario's failure depends on the timing a seed draws); else
 * throws one Error naming every other failing seed with its failure.
 */
export async function expectScenarioPasses<H>(
  scenario: Scenario<H>,
  options: ScenarioPassOptions = {},
): Promise<ScenarioResult[]> {
  const seeds = options.seeds ?? scenario.seeds;
  const results: ScenarioResult[] = [];
  for (const seed of seeds) results.push(await runScenario(scenario, { ...options.run, seed }));
  const bad = results.filter((r) => r.status === 'failed' && !failsAsExpected(scenario, r));
  if (bad.length > 0) {
    const lines = bad.map((r) => `  seed ${r.seed}: ${failureLine(r)}`);
    throw new Error(
      `scenario ${scenario.name}: ${bad.length} of ${seeds.length} seeds failed\n` +
        `${lines.join('\n')}\n(runScenario(scenario, { seed }) makes each again)`,
    );
  }
  return results;
}

export interface FuzzOptions {
  /** @defaultValue 'portfolio' */
  readonly strategy?: StrategyName;
  readonly params?: StrategyParams;
  readonly runs: number;
  /** The campaign seed: run i has seed `seed + i`. @defaultValue 1 */
  readonly seed?: number;
  readonly run?: Omit<RunRequest, 'seed'>;
}

/** One group of failing runs with the same signature, in brief. */
export interface FuzzFinding {
  readonly signature: string;
  readonly count: number;
  readonly firstSeed: number;
  /** The first run's failure: kind and message. */
  readonly failure: string;
  /** The failure the scenario declares (`expect`). */
  readonly expected: boolean;
}

/** A campaign as plain data, for a test to assert on. */
export interface FuzzReport {
  /** The campaign's verdict: no unexpected failure; a bug scenario's bug found. */
  readonly ok: boolean;
  readonly runs: number;
  readonly passed: number;
  readonly failed: number;
  readonly findings: readonly FuzzFinding[];
  /** Goals (Simulation.sometimes) no run reached. */
  readonly unreachedGoals: readonly string[];
}

/** Runs a fuzz campaign (runCampaign) and returns what it found as plain data. */
export async function fuzzScenario<H>(
  scenario: Scenario<H>,
  options: FuzzOptions,
): Promise<FuzzReport> {
  const campaign = await runCampaign(scenario, {
    runs: options.runs,
    ...(options.strategy !== undefined && { strategy: options.strategy }),
    ...(options.params !== undefined && { params: options.params }),
    ...(options.seed !== undefined && { seed: options.seed }),
    ...(options.run !== undefined && { run: options.run }),
  });
  return {
    ok: campaign.ok,
    runs: campaign.runs,
    passed: campaign.passed,
    failed: campaign.failures.length,
    findings: campaign.groups.map((group) => ({
      signature: group.signature,
      count: group.count,
      firstSeed: group.first.seed,
      failure: failureLine(group.result),
      expected: group.first.expected,
    })),
    unreachedGoals: [...campaign.goals].filter(([, reached]) => !reached).map(([goal]) => goal),
  };
}

function failureLine(result: ScenarioResult): string {
  const failure = result.failure;
  return failure === undefined ? 'passed' : `${failure.kind}: ${failure.message}`;
}
