import { describe, expect, it } from 'vitest';
import acceptIrp from '../../../scenarios/accept-irp.ts';
import { runCampaign, type CampaignResult } from '../../../src/explore/campaign.ts';
import { resolveFuzzSpace } from '../../../src/explore/fuzz-space.ts';
import type { Scenario } from '../../../src/explore/scenario.ts';
import { coverageStrategy } from '../../../src/explore/strategies/coverage.ts';
import type { RunPlan } from '../../../src/explore/strategy.ts';
import retryLeak from '../../fixtures/retry-leak.ts';
import twoDoors from '../../fixtures/two-doors.ts';

async function campaign<H>(
  scenario: Scenario<H>,
  strategy: 'coverage' | 'random',
  runs: number,
  seed = 1,
): Promise<CampaignResult> {
  return runCampaign(scenario, { strategy, seed, runs });
}

describe('explore: the coverage strategy', () => {
  it('plans run i with seed S+i, fault points and same-instant choice offered, and learns', () => {
    const strategy = coverageStrategy({
      scenario: twoDoors as Scenario<unknown>,
      seed: 40,
      runs: 10,
      space: resolveFuzzSpace(undefined),
      params: {},
    });
    expect([strategy.name, strategy.seedOnly]).toEqual(['coverage', false]);
    const plan = strategy.next(3) as RunPlan;
    expect(plan.seed).toBe(43);
    expect(plan.note).toBe('fresh seed');
    expect(plan.request).toMatchObject({ faultPoints: true, sameInstantChoice: true });
    expect(typeof plan.request.onRecord).toBe('function');
    expect(plan.request.decider).toBeDefined();
  });

  it('finds a failure that needs two rare chances together in a few runs; plain seeds do not in 500', async () => {
    const found = await campaign(twoDoors, 'coverage', 30);
    expect(found.failures.length).toBeGreaterThan(0);
    expect(found.failures[0]?.run).toBeLessThan(10);
    expect(found.failures[0]?.message).toBe('both doors open');
    expect(found.failures[0]?.note).toMatch(/^mutant of run \d+: flip /);
    const plain = await campaign(twoDoors, 'random', 500);
    expect(plain.failures).toEqual([]);
  });

  it('fails allocations in turn to reach a leak behind two failures in a row; plain seeds never can', async () => {
    const found = await campaign(retryLeak, 'coverage', 100);
    expect(found.failures.length).toBeGreaterThan(0);
    expect(found.failures[0]?.what).toBe('WSK-NOT-DEREGISTERED');
    expect(found.first?.faults.taken.map((f) => f.label)).toEqual([
      'irp allocation fails',
      'irp allocation fails',
    ]);
    const plain = await campaign(retryLeak, 'random', 100);
    expect(plain.failures).toEqual([]);
  });

  it('reports its coverage, its corpus and the goals no run reached', async () => {
    const result = await campaign(twoDoors, 'coverage', 30);
    const [reached, corpus, goals] = result.report;
    expect(reached).toMatch(/^2 transitions reached by passing runs \(2 points with hit counts\)$/);
    expect(corpus).toMatch(/^corpus: 3 tapes; runs: \d+ fresh, \d+ mutants \(2 kept\), \d+ failed$/);
    expect(goals).toBe('goals never reached: a door that has no chance at all');
    expect(result.goals.get('first door open')).toBe(true);
  });

  it('the same campaign twice gives the same failures, notes and coverage', async () => {
    const [one, two] = [await campaign(acceptIrp, 'coverage', 40), await campaign(acceptIrp, 'coverage', 40)];
    expect(two.failures).toEqual(one.failures);
    expect(two.report).toEqual(one.report);
    expect(one.report[0]).toMatch(/^\d+ transitions/);
  });

  it('never makes a link lossy the scenario did not allow: its tapes hold no link fault', async () => {
    const labels = new Set<string>();
    let linksRaised = false;
    await runCampaign(acceptIrp, {
      strategy: 'coverage',
      runs: 30,
      onRun: (result) => {
        for (const entry of result.tape ?? []) labels.add(entry.label);
        linksRaised ||= result.faults.links;
      },
    });
    expect(linksRaised).toBe(false);
    expect([...labels].filter((label) => /loss|duplicate|reorder/.test(label))).toEqual([]);
    expect(labels).toContain('irp allocation fails');
  });
});
