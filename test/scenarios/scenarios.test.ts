/**
 * Every scenario in scenarios/: each of its seeds runs twice to the same trace hash and passes
 * its checks, and the formatted trace of its first seed is a golden snapshot, so a change of
 * behaviour shows up as a reviewed diff (STYLE.md §7.12).
 */
import { describe, expect, it } from 'vitest';
import { listScenarioNames, loadScenario } from '../../src/cli/load.ts';
import { runScenario } from '../../src/explore/scenario.ts';
import { formatRecord } from '../../src/sim/index.ts';

const names = listScenarioNames();

describe('scenarios', () => {
  it('there is at least the showcase', () => {
    expect(names).toContain('showcase');
  });

  describe.each(names)('%s', (name) => {
    it('each seed passes, twice, to the same trace hash', async () => {
      const scenario = await loadScenario(name);
      for (const seed of scenario.seeds) {
        const first = await runScenario(scenario, { seed });
        const second = await runScenario(scenario, { seed });
        expect(first.failure, `seed ${seed}: replay with wsksim run ${name} --seed ${seed}`).toBeUndefined();
        expect(second.traceHash).toBe(first.traceHash);
      }
    });

    it('golden trace of its first seed', async () => {
      const scenario = await loadScenario(name);
      const result = await runScenario(scenario, { seed: scenario.seeds[0] as number, keepTrace: true });
      const lines = (result.trace ?? []).map(formatRecord);
      expect(`${lines.join('\n')}\ntrace hash ${result.traceHash}\n`).toMatchSnapshot();
    });
  });
});
