/**
 * The worker pool (src/cli/pool): runCampaign on N worker threads is runCampaign in this thread,
 * for every strategy, adaptive ones included: the same runs, failures, groups (their first run's
 * tape too) and strategy report, since every replica plans each batch and observes its digests
 * in index order.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WorkerPool } from '../../../src/cli/pool/pool.ts';
import { loadScenario, scenarioPath } from '../../../src/cli/load.ts';
import { runCampaign, type CampaignRequest, type CampaignResult } from '../../../src/explore/campaign.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}.ts`, import.meta.url));

/** What a campaign found, without the deciders a group's request holds. */
function findings(campaign: CampaignResult) {
  const { groups, first, firstPlan, ...rest } = campaign;
  void first;
  void firstPlan;
  return {
    ...rest,
    groups: groups.map(({ signature, count, first: brief, result }) => ({
      signature, count, brief, tape: result.tape, traceHash: result.traceHash,
    })),
  };
}

async function both(path: string, request: CampaignRequest, jobs: number) {
  const scenario = await loadScenario(path);
  const here = await runCampaign(scenario, request);
  const pool = new WorkerPool({
    scenarioPath: path,
    scenarioName: scenario.name,
    campaign: request,
    run: request.run ?? {},
    jobs,
    runTimeout: 60e9,
  });
  const pooled = await runCampaign(scenario, request, pool).finally(() => pool.close());
  return { here: findings(here), pooled: findings(pooled) };
}

describe('cli: the campaign worker pool', () => {
  const cases: [string, CampaignRequest][] = [
    [fixture('two-doors'), { strategy: 'coverage', runs: 150, seed: 3 }],
    ['inline-receive-depth', { strategy: 'coverage', runs: 100 }],
    ['accept-loop-leak', { strategy: 'systematic', runs: 60 }],
    ['inspect-abort-race', { strategy: 'portfolio', runs: 100, seed: 5 }],
    ['receive-callback-race', { strategy: 'exhaustive', runs: 40, params: { vary: ['same-instant'] } }],
    ['receive-event-dpc-lock', { strategy: 'pct', runs: 60 }],
    [fixture('leaky-driver'), { strategy: 'swarm', runs: 50, bail: true }],
    // Past run 512 each batch is planned, and handed to the workers, before the one before it is
    // observed (campaign.ts: plansAhead).
    ['inspect-abort-race', { strategy: 'portfolio', runs: 1100, seed: 5 }],
    [fixture('two-doors'), { strategy: 'coverage', runs: 1100, seed: 3 }],
    ['inspect-abort-race-fixed', { strategy: 'random', runs: 900 }],
  ];
  for (const [name, request] of cases) {
    const title = `${request.strategy} on ${basename(name)}, ${request.runs} runs`;
    it(`${title}: 3 workers make this thread's campaign`, async () => {
      const { here, pooled } = await both(scenarioPath(name), request, 3);
      expect(here.runs).toBeGreaterThan(0);
      expect(pooled).toEqual(here);
    });
  }
});
