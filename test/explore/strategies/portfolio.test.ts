import { describe, expect, it } from 'vitest';
import { planRequest, runCampaign } from '../../../src/explore/campaign.ts';
import { resolveFuzzSpace } from '../../../src/explore/fuzz-space.ts';
import { runScenario, type Scenario, type ScenarioResult } from '../../../src/explore/scenario.ts';
import { coverageStrategy } from '../../../src/explore/strategies/coverage.ts';
import { PORTFOLIO_MEMBERS, portfolioStrategy } from '../../../src/explore/strategies/portfolio.ts';
import { randomStrategy } from '../../../src/explore/strategies/random.ts';
import {
  DEFAULT_STRATEGY,
  observeRun,
  type CampaignContext,
  type RunPlan,
  type Strategy,
} from '../../../src/explore/strategy.ts';
import retryLeak from '../../fixtures/retry-leak.ts';
import twoDoors from '../../fixtures/two-doors.ts';

/** A stand-in for a strategy not registered on this branch: `plans` runs, then nothing left. */
function stub(plans: number, observed: RunPlan[], seen: CampaignContext[]) {
  return (context: CampaignContext): Strategy => {
    seen.push(context);
    return {
      name: 'swarm',
      seedOnly: true,
      next: (index) =>
        index < plans ? { seed: context.seed + index, request: {}, note: `stub ${index}` } : null,
      digest: () => null,
      observe: (plan) => void observed.push(plan),
      report: () => ['stub report'],
    };
  };
}

function context(seed: number, runs: number): CampaignContext {
  return {
    scenario: twoDoors as Scenario<unknown>,
    seed,
    runs,
    space: resolveFuzzSpace(undefined),
    params: {},
  };
}

/** The portfolio of random, the stub and coverage, its plans for `runs` runs, each observed. */
async function drive(runs: number, plans = 2) {
  const observed: RunPlan[] = [];
  const seen: CampaignContext[] = [];
  const factory = portfolioStrategy({
    random: randomStrategy,
    swarm: stub(plans, observed, seen),
    coverage: coverageStrategy,
    exhaustive: () => {
      throw new Error('exhaustive is no member');
    },
  });
  const portfolio = factory(context(100, 9));
  const given: (RunPlan | null)[] = [];
  for (let index = 0; index < runs; index++) {
    const plan = portfolio.next(index) as RunPlan | null;
    given.push(plan);
    if (plan === null) break;
    const result: ScenarioResult = await runScenario(twoDoors, planRequest({}, plan));
    observeRun(portfolio, plan, result);
  }
  return { portfolio, given, observed, seen };
}

describe('explore: the portfolio strategy', () => {
  it('interleaves its members run by run, each on its own counter, and drops one with nothing left', async () => {
    const { given } = await drive(8);
    expect(given.map((plan) => plan?.note.replace(/^(portfolio\/coverage): .*/, '$1'))).toEqual([
      'portfolio/random',
      'portfolio/swarm: stub 0',
      'portfolio/coverage',
      'portfolio/random',
      'portfolio/swarm: stub 1',
      'portfolio/coverage',
      'portfolio/random',
      'portfolio/coverage',
    ]);
    expect(given[2]?.note).toBe('portfolio/coverage: fresh seed');
  });

  it('run i has seed S+i whichever member planned it', async () => {
    const { given } = await drive(8);
    expect(given.map((plan) => plan?.seed)).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
  });

  it('a member sees its share of the budget and gets back the plans it made', async () => {
    const { observed, seen } = await drive(8);
    expect(seen.map((c) => [c.seed, c.runs])).toEqual([[100, 3]]);
    expect(observed.map((plan) => [plan.seed, plan.note])).toEqual([
      [100, 'stub 0'],
      [101, 'stub 1'],
    ]);
  });

  it('ends when every member has nothing left to try', async () => {
    const observed: RunPlan[] = [];
    const portfolio = portfolioStrategy({ swarm: stub(2, observed, []) })(context(1, 10));
    const seedOf = (index: number) => (portfolio.next(index) as RunPlan | null)?.seed ?? null;
    expect([seedOf(0), seedOf(1), seedOf(2)]).toEqual([1, 2, null]);
  });

  it('reports each member: its runs, its failures and its own report', async () => {
    const { portfolio } = await drive(8);
    const report = portfolio.report();
    expect(report[0]).toBe('random: 3 runs, 0 failed');
    expect(report[1]).toBe('swarm: 2 runs, 0 failed, then had nothing left to try');
    expect(report[2]).toBe('swarm: stub report');
    expect(report[3]).toMatch(/^coverage: 3 runs, \d+ failed$/);
    expect(report[4]).toMatch(/^coverage: \d+ transitions reached by passing runs/);
    expect([portfolio.name, portfolio.seedOnly]).toEqual(['portfolio', false]);
  });

  it('its members are the registered ones among random, swarm, systematic, pct and coverage', () => {
    expect(PORTFOLIO_MEMBERS).toEqual(['random', 'swarm', 'systematic', 'pct', 'coverage']);
  });

  it('is the default: a campaign that names no strategy interleaves, and a failure names its member', async () => {
    expect(DEFAULT_STRATEGY).toBe('portfolio');
    // Whichever strategies are registered share the runs; random and coverage always are.
    const result = await runCampaign(retryLeak, { runs: 400 });
    expect(result.strategy).toBe('portfolio');
    expect(result.failures.length).toBeGreaterThan(0);
    for (const failure of result.failures) expect(failure.note).toMatch(/^portfolio\/[a-z]+: /);
    const books = result.report.filter((line) => /^[a-z]+: \d+ runs, \d+ failed/.test(line));
    expect(books[0]).toMatch(/^random: \d+ runs, 0 failed$/);
    expect(books.at(-1)).toMatch(/^coverage: \d+ runs, [1-9]\d* failed$/);
  });
});
