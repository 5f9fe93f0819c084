/**
 * Every correct shipped scenario (scenarios/*.ts without `expect`) passes under swarm and
 * systematic: their drivers check every allocation, clean up after a failed one and unload, so a
 * failed IoAllocateIrp, pool block, MDL or work item, pended or inline completions, PASSIVE
 * callbacks and the callback races leave no crash, violation, leak or hang. A modest campaign
 * each here; `wsksim fuzz <scenario> --strategy swarm --runs 300` goes further.
 */
import { describe, expect, it } from 'vitest';
import { listScenarioNames, loadScenario } from '../../../src/cli/load.ts';
import { runCampaign } from '../../../src/explore/campaign.ts';
import type { StrategyName } from '../../../src/explore/strategy.ts';

const CORRECT = (
  await Promise.all(listScenarioNames().map(async (name) => ({ name, scenario: await loadScenario(name) })))
).filter(({ scenario }) => scenario.expect === undefined);

/** Runs per campaign: systematic ends on its own sooner on most scenarios. */
const RUNS: Readonly<Record<'swarm' | 'systematic', number>> = { swarm: 40, systematic: 60 };

describe('explore: the shipped scenarios pass under swarm and systematic', () => {
  it('the correct scenarios include the fixed twin of the bug scenario', () => {
    expect(CORRECT.map(({ name }) => name)).toContain('inspect-abort-race-fixed');
    expect(CORRECT.map(({ name }) => name)).not.toContain('inspect-abort-race');
  });

  describe.each(CORRECT)('$name', ({ scenario }) => {
    it.each(['swarm', 'systematic'] as const)('%s', async (strategy: StrategyName & keyof typeof RUNS) => {
      const result = await runCampaign(scenario, { strategy, runs: RUNS[strategy], seed: 1 });
      const failures = result.failures.map((f) => `seed ${f.seed}: ${f.message} [${f.note}]`);
      expect(failures).toEqual([]);
      expect(result.ok).toBe(true);
    });
  });
});
