/**
 * The helpers for a team's own suites (explore/testing.ts): a scenario's seeds as one assertion
 * that names each failing seed, and a campaign as plain data.
 */
import { describe, expect, it } from 'vitest';
import { expectScenarioPasses, fuzzScenario } from '../../src/index.ts';
import { loadScenario } from '../../src/cli/load.ts';

describe('expectScenarioPasses', () => {
  it('resolves to one result per declared seed when all pass', async () => {
    const scenario = await loadScenario('test/fixtures/user-scenario.ts');
    const results = await expectScenarioPasses(scenario);
    expect(results.map((r) => [r.seed, r.status])).toEqual(scenario.seeds.map((seed) => [seed, 'passed']));
  });

  it('throws naming each failing seed and its failure', async () => {
    const scenario = await loadScenario('test/fixtures/test-command/failing/seed-two.ts');
    await expect(expectScenarioPasses(scenario, { seeds: [1, 2, 3, 4] })).rejects.toThrow(
      /^scenario seed-two: 2 of 4 seeds failed\n {2}seed 2: check: seed 2 is even\n {2}seed 4: check: seed 4 is even\n/,
    );
  });

  it('a bug scenario passes when its seeds fail only the way it declares', async () => {
    const scenario = await loadScenario('inspect-abort-race');
    const results = await expectScenarioPasses(scenario, { seeds: [1, 2, 3, 4, 5, 6] });
    expect(results.some((r) => r.status === 'failed')).toBe(true);
  });
});

describe('fuzzScenario', () => {
  it('returns the campaign as plain data: counts, findings by signature, the verdict', async () => {
    const scenario = await loadScenario('inspect-abort-race');
    const report = await fuzzScenario(scenario, { strategy: 'random', runs: 20 });
    expect(report.runs).toBe(20);
    expect(report.passed + report.failed).toBe(20);
    expect(report.ok).toBe(true);
    expect(report.findings[0]).toMatchObject({
      signature: expect.stringMatching(/^violation POOL-USE-AFTER-FREE at scenarios\/inspect-abort-race\.ts:\d+$/),
      expected: true,
      failure: expect.stringMatching(/^violation: /),
    });
    expect(report.findings.reduce((n, f) => n + f.count, 0)).toBe(report.failed);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('a scenario whose failure is not expected: ok is false', async () => {
    const scenario = await loadScenario('test/fixtures/test-command/failing/seed-two.ts');
    const report = await fuzzScenario(scenario, { strategy: 'random', runs: 4 });
    expect(report).toMatchObject({ ok: false, failed: 2, findings: [{ count: 2, firstSeed: 2, expected: false }] });
  });
});
