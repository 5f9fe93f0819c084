/**
 * The bench of bug-finding power (`npm run bench -- --only explore`; not in the default run, it
 * takes minutes): every strategy on every shipped bug scenario (a scenario with `expect`), as
 * runs-to-first-failure, the median over 10 campaign seeds (1–10), each campaign stopped at its
 * first failure or at its budget; and plain `random`'s failure rate over seeds 1–1,000. A
 * campaign that finds nothing within its budget counts as "more than the budget" in the median.
 *
 * Metric names (an interface: add, never rename):
 *   explore_random_failures_per_1000.<scenario>             failing seeds among 1–1,000
 *   explore_runs_to_first_failure.<scenario>.<strategy>     the median, or budget + 1 (not found)
 *
 * `--budget N` changes every campaign's budget (default 10,000 for portfolio, 1,000 for the
 * others); `--scenarios a,b` and `--strategies x,y` narrow the table.
 */
import { listScenarioNames, loadScenario } from '../src/cli/load.ts';
import { runCampaign } from '../src/explore/campaign.ts';
import { runSeeds } from '../src/explore/seeds.ts';
import type { Scenario } from '../src/explore/scenario.ts';
import { STRATEGY_NAMES, type StrategyName, type StrategyParams } from '../src/explore/strategy.ts';
import type { Metric } from './measure.ts';

const CAMPAIGN_SEEDS = 10;
const RANDOM_SEEDS = 1000;
const PORTFOLIO_BUDGET = 10_000;
const BUDGET = 1_000;
/** What exhaustive varies here: the orderings at an instant and the allocation failures. */
const EXHAUSTIVE: StrategyParams = { vary: ['same-instant', 'allocation fails'] };

interface Options {
  readonly budget?: number;
  readonly scenarios?: readonly string[];
  readonly strategies?: readonly StrategyName[];
}

/** Runs until the first failure or the budget; returns the runs made, or budget + 1. */
async function runsToFailure(
  scenario: Scenario<unknown>,
  strategy: StrategyName,
  seed: number,
  budget: number,
): Promise<number> {
  let failedAt = 0;
  let runs = 0;
  const campaign = await runCampaign(scenario, {
    strategy,
    seed,
    runs: budget,
    ...(strategy === 'exhaustive' && { params: EXHAUSTIVE }),
    onRun: (result) => {
      runs++;
      if (result.failure !== undefined && failedAt === 0) failedAt = runs;
    },
    shouldStop: () => failedAt > 0,
  });
  void campaign;
  return failedAt > 0 ? failedAt : budget + 1;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function bugScenarios(names?: readonly string[]): Promise<Scenario<unknown>[]> {
  const all = await Promise.all(listScenarioNames().map((name) => loadScenario(name)));
  return all.filter((s) => s.expect !== undefined && (names === undefined || names.includes(s.name)));
}

export async function benchExplore(options: Options = {}): Promise<Metric[]> {
  const metrics: Metric[] = [];
  const strategies = options.strategies ?? STRATEGY_NAMES;
  for (const scenario of await bugScenarios(options.scenarios)) {
    const plain = await runSeeds(scenario, { from: 1, runs: RANDOM_SEEDS });
    metrics.push({
      name: `explore_random_failures_per_1000.${scenario.name}`,
      value: plain.failures.filter((f) => f.expected).length * (1000 / RANDOM_SEEDS),
      unit: 'failing seeds of 1,000',
    });
    for (const strategy of strategies) {
      const budget = options.budget ?? (strategy === 'portfolio' ? PORTFOLIO_BUDGET : BUDGET);
      const found: number[] = [];
      for (let seed = 1; seed <= CAMPAIGN_SEEDS; seed++)
        found.push(await runsToFailure(scenario, strategy, seed, budget));
      metrics.push({
        name: `explore_runs_to_first_failure.${scenario.name}.${strategy}`,
        value: median(found),
        unit: `runs (median of ${CAMPAIGN_SEEDS} campaigns; ${budget + 1} = not found in ${budget})`,
      });
    }
  }
  return metrics;
}

/** The explore group's flags, from bench/main.ts's argv. */
export function exploreOptions(argv: readonly string[]): Options {
  const value = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const budget = value('--budget');
  const scenarios = value('--scenarios');
  const strategies = value('--strategies');
  return {
    ...(budget !== undefined && { budget: Number(budget) }),
    ...(scenarios !== undefined && { scenarios: scenarios.split(',') }),
    ...(strategies !== undefined && { strategies: strategies.split(',') as StrategyName[] }),
  };
}
