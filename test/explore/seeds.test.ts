/**
 * The seed loop (src/explore/seeds.ts) and `wsksim fuzz`: every seed run and recorded, the loop
 * going on after a failure, the first failure kept whole, and the verdict for a scenario with
 * and without `expect` (docs/design.md#scenarios-may-not-lower-a-rule, #exploration). The scenarios
 * here decide with `sim.choices`, the scenario's own choice stream, so which seeds fail is the
 * seeded draw's doing.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { cli } from '../support/cli.ts';
import { defineScenario, runScenario } from '../../src/explore/scenario.ts';
import { runSeeds } from '../../src/explore/seeds.ts';
import { loadScenario } from '../../src/cli/load.ts';

/** Fails its check when its one coin comes up 1; `expect` names that check's message. */
function coin(expectFailure: boolean) {
  return defineScenario({
    name: 'coin',
    description: 'seeds.test.ts: a check that fails on a coin flip',
    build: (sim) => ({ heads: sim.choices.between('coin', 0, 1) === 1 }),
    check: (_run, handles) => {
      if (handles.heads) throw new Error('heads: the bug showed');
    },
    ...(expectFailure && { expect: 'heads: the bug showed' }),
  });
}


describe('explore: the seed loop', () => {
  it('runs every seed, records each failure and goes on; the first failure is kept whole', async () => {
    const seen: number[] = [];
    const loop = await runSeeds(coin(false), { from: 5, runs: 20, onRun: (r) => seen.push(r.seed) });
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => 5 + i));
    expect(loop.failures.length).toBeGreaterThan(0);
    expect(loop.passed).toBe(20 - loop.failures.length);
    expect(loop.passed).toBeGreaterThan(0);
    expect(loop.ok).toBe(false);
    // Each failing seed fails alone too, the same way: the loop's record is the run's own.
    for (const failure of loop.failures) {
      const again = await runScenario(coin(false), { seed: failure.seed });
      expect([again.status, again.failure?.message]).toEqual(['failed', failure.message]);
      expect(failure).toMatchObject({ what: 'check', expected: false });
    }
    expect(loop.first?.seed).toBe(loop.failures[0]?.seed);
  });

  it('a scenario with `expect`: ok when it fails that way on some seeds and never otherwise', async () => {
    const loop = await runSeeds(coin(true), { runs: 20 });
    expect(loop.ok).toBe(true);
    expect(loop.failures.every((f) => f.expected)).toBe(true);
    expect(loop.expect).toBe('heads: the bug showed');
    // Not found in the seeds tried: not ok (a seed whose coin shows tails, alone).
    const passing = Array.from({ length: 20 }, (_, i) => i + 1).find(
      (seed) => !loop.failures.some((f) => f.seed === seed),
    );
    const quiet = await runSeeds(coin(true), { from: passing as number, runs: 1 });
    expect([quiet.failures.length, quiet.ok]).toEqual([0, false]);
  });

  it('inspect-abort-race finds POOL-USE-AFTER-FREE on some seeds; its twin passes them all', async () => {
    const race = await runSeeds(await loadScenario('inspect-abort-race'), { runs: 12 });
    expect(race.ok).toBe(true);
    expect(race.failures.length).toBeGreaterThan(0);
    expect(race.passed).toBeGreaterThan(0);
    expect(new Set(race.failures.map((f) => f.what))).toEqual(new Set(['POOL-USE-AFTER-FREE']));
    const fixed = await runSeeds(await loadScenario('inspect-abort-race-fixed'), { runs: 12 });
    expect([fixed.ok, fixed.failures]).toEqual([true, []]);
  });
});

describe('cli: wsksim fuzz', () => {
  it('one line per failure group, reports the first with its replay command, exit 0 when as expected', async () => {
    const { code, out } = await cli(['fuzz', 'inspect-abort-race', '--runs', '4', '--strategy', 'random', '--no-shrink']);
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^fuzz inspect-abort-race {2}strategy random {2}seeds 1–4 {2}\d passed, \d failed$/);
    const groups = lines.filter((l) => / {2}first seed /.test(l));
    expect(groups).not.toEqual([]);
    for (const line of groups) {
      expect(line).toMatch(
        /^ {2}\d runs? {2}first seed \d {2}\(expected\) violation POOL-USE-AFTER-FREE at scenarios\//,
      );
    }
    expect(out).toMatch(/failure: violation at .*: POOL-USE-AFTER-FREE: read of /);
    expect(out).toMatch(/expect POOL-USE-AFTER-FREE: found on \d seeds\n/);
    expect(out).toMatch(/first failure:\nscenario inspect-abort-race {2}seed \d {2}failed\n/);
    expect(out).toMatch(/replay: npx wsksim run inspect-abort-race --seed \d --strategy random\nwrote \S+\.html: the run.s HTML timeline, \d+ trace records \(\d+ KiB\)\n$/);
  });

  it('a clean scenario: one line, exit 0; bad --runs is a usage error', async () => {
    const { code, out } = await cli(['fuzz', 'inspect-abort-race-fixed', '--runs', '3', '--seed', '10', '--strategy', 'random']);
    expect([code, out]).toEqual([0, 'fuzz inspect-abort-race-fixed  strategy random  seeds 10–12  3 passed, 0 failed\n']);
    let err = '';
    expect(await main(['fuzz', 'showcase', '--runs', '0'], () => {}, (t) => void (err += t))).toBe(2);
    expect(err).toContain('--runs expects at least 1');
  });
});

describe('explore: seed-loop budgets', () => {
  it('bail stops at the first failure that is not the expected one, any failure without expect', async () => {
    const plain = await runSeeds(coin(false), { runs: 20, bail: true });
    const firstFailing = plain.failures[0]?.seed;
    expect(firstFailing).toBeDefined();
    expect(plain).toMatchObject({ runs: firstFailing, requested: 20, stopped: 'bail', ok: false });
    expect(plain.failures).toHaveLength(1);
    const expected = await runSeeds(coin(true), { runs: 20, bail: true });
    expect(expected.runs).toBe(20);
    expect(expected.stopped).toBeUndefined();
    expect(expected.failures.length).toBeGreaterThan(1);
  });

  it('shouldStop is asked after each run and stops the loop; at least one seed runs', async () => {
    let asked = 0;
    const loop = await runSeeds(coin(false), { runs: 20, shouldStop: () => ++asked >= 3 });
    expect(loop).toMatchObject({ runs: 3, requested: 20, stopped: 'budget' });
    expect(loop.passed + loop.failures.length).toBe(3);
    const once = await runSeeds(coin(false), { runs: 20, shouldStop: () => true });
    expect(once.runs).toBe(1);
    const all = await runSeeds(coin(false), { runs: 2, shouldStop: () => ++asked >= 100 });
    expect(all).toMatchObject({ runs: 2, requested: 2 });
    expect(all.stopped).toBeUndefined();
  });

  it('every run gets the request\'s knobs: kernel overrides fail accept-irp\'s IRP allocation', async () => {
    const scenario = await loadScenario('accept-irp');
    const taken: string[] = [];
    const loop = await runSeeds(scenario, {
      runs: 2,
      run: { kernel: { server: { irpAllocationFailure: 1 } } },
      onRun: (result) => taken.push(`${result.seed} ${result.faults.taken[0]?.label} ${result.checkSkipped}`),
    });
    // Its driver cleans up and unloads; each run took the fault, so its check was not applied.
    expect(loop.failures).toEqual([]);
    expect(taken).toEqual(['1 irp allocation fails true', '2 irp allocation fails true']);
  });
});

