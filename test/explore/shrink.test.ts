import { describe, expect, it } from 'vitest';
import {
  defineScenario,
  runScenario,
  type RunRequest,
  type Scenario,
  type ScenarioResult,
} from '../../src/explore/scenario.ts';
import { lenientRun, shrinkRun } from '../../src/explore/shrink-run.ts';
import { shrink } from '../../src/explore/shrink.ts';
import { resultSignature } from '../../src/explore/signature.ts';
import { compareTapes, trimDefaults } from '../../src/explore/tape-order.ts';
import { planRequest, seedOnlyRun } from '../../src/explore/campaign.ts';
import type { StrategyName } from '../../src/explore/strategy.ts';
import acceptLoopLeak from '../../scenarios/accept-loop-leak.ts';
import inspectAbortRace from '../../scenarios/inspect-abort-race.ts';
import receiveCallbackRace from '../../scenarios/receive-callback-race.ts';
import receiveEventDpcLock from '../../scenarios/receive-event-dpc-lock.ts';

/** Ten delays; fails when one is ≥ 700 (≥ 900 says 'too big', else 'big'). */
const tenDelays = defineScenario({
  name: 'ten-delays',
  description: 'fails when a delay is 700 or more',
  build: (sim) => Array.from({ length: 10 }, () => sim.choices.between('delay', 0, 1000)),
  check: (_run, delays) => {
    const index = delays.findIndex((delay) => delay >= 700);
    const delay = delays[index];
    if (delay === undefined) return;
    throw new Error(`delay ${index} is ${delay >= 900 ? 'too big' : 'big'}: ${delay}`);
  },
});

/** Two chances with noise between; fails when both are true. */
const twoChances = defineScenario({
  name: 'two-chances',
  description: 'fails when a and b both come out true',
  build: (sim) => {
    const a = sim.choices.chance('a', 0.5);
    for (let i = 0; i < 3; i++) sim.choices.between('noise', 0, 100);
    const b = sim.choices.chance('b', 0.5);
    sim.choices.between('noise', 0, 100);
    return { a, b };
  },
  check: (_run, { a, b }) => {
    if (a && b) throw new Error('a and b');
  },
});

/**
 * Five events at one instant; fails when 'b' or 'e' fires first. Not monotone in the pick's
 * value (1 and 4 fail, 2 and 3 pass): a binary search from 4 would stop at 4, trying values one
 * by one from 0 finds 1.
 */
const sameInstant = defineScenario({
  name: 'same-instant',
  description: 'fails when b or e fires first of its instant',
  build: (sim) => {
    const fired: string[] = [];
    for (const name of ['a', 'b', 'c', 'd', 'e']) sim.at('1ms', name, () => fired.push(name));
    sim.at('2ms', 'later', () => sim.choices.between('noise', 0, 100));
    return fired;
  },
  check: (_run, fired) => {
    if (fired[0] === 'b' || fired[0] === 'e') throw new Error('out of order');
  },
});

/** The first seed in 1..200 whose run fails (with `signature`, when given), recorded. */
async function failingRun<H>(
  scenario: Scenario<H>,
  request: Omit<RunRequest, 'seed'> = {},
  signature?: string,
): Promise<{ request: RunRequest; result: ScenarioResult }> {
  for (let seed = 1; seed <= 200; seed++) {
    const result = await runScenario(scenario, { ...request, seed, record: true });
    const failed = resultSignature(result);
    if (failed !== null && (signature === undefined || failed === signature))
      return { request: { ...request, seed }, result };
  }
  throw new Error(`no failing seed for ${scenario.name}`);
}

async function shrunk<H>(scenario: Scenario<H>, request: Omit<RunRequest, 'seed'> = {}) {
  const { request: failing, result } = await failingRun(scenario, request);
  return { input: result, output: await shrinkRun(scenario, failing, result) };
}

describe('explore: the shrinker', () => {
  it('finds the one delay that matters, at exactly 700, every other entry default', async () => {
    const { input, output } = await shrunk(tenDelays);
    expect(output.ended).toBe('fixpoint');
    expect(output.tape).toEqual([{ label: 'delay', value: 700 }]);
    expect(output.result.failure?.message).toBe('delay 0 is big: 700');
    expect(output.signature).toBe(resultSignature(input));
    expect(output.after).toMatchObject({ entries: 1, nonDefault: 1 });
    expect(output.before.nonDefault).toBeGreaterThan(1);
  });

  it('keeps two chances both true, and the noise between them default', async () => {
    const { output } = await shrunk(twoChances);
    expect(output.tape).toEqual([
      { label: 'a', value: 1 },
      { label: 'noise', value: null },
      { label: 'noise', value: null },
      { label: 'noise', value: null },
      { label: 'b', value: 1 },
    ]);
  });

  it('lowers a same-instant pick to the least order that still fails', async () => {
    const request = { sameInstantChoice: true };
    let input: ScenarioResult | undefined;
    let seed = 1;
    for (; input === undefined; seed++) {
      const run = await runScenario(sameInstant, { ...request, seed, record: true });
      if (run.status === 'failed' && run.tape?.[0]?.value === 4) input = run;
    }
    const output = await shrinkRun(sameInstant, { ...request, seed: seed - 1 }, input);
    expect(output.tape).toEqual([{ label: 'same-instant 0.001000s', value: 1 }]);
  });

  it('keeps the signature: a candidate failing another way is rejected', async () => {
    const signature = 'check: delay # is too big: ###';
    const { request, result } = await failingRun(tenDelays, {}, signature);
    const output = await shrinkRun(tenDelays, request, result);
    expect(output.signature).toBe(signature);
    expect(resultSignature(output.result)).toBe(signature);
    // 700 would fail too, as 'big': not the same failure.
    expect(output.tape).toEqual([{ label: 'delay', value: 900 }]);
  });

  it('is deterministic, and canonical: failing seeds shrink to the same tape', async () => {
    const signature = 'check: delay # is big: ###';
    const { request, result } = await failingRun(tenDelays, {}, signature);
    const first = await shrinkRun(tenDelays, request, result);
    const again = await shrinkRun(tenDelays, request, result);
    expect(again.tape).toEqual(first.tape);
    expect(again.candidates).toBe(first.candidates);
    for (let seed = request.seed + 1, other = 0; other < 3; seed++) {
      const run = await runScenario(tenDelays, { seed, record: true });
      if (resultSignature(run) !== signature) continue;
      other++;
      expect((await shrinkRun(tenDelays, { seed }, run)).tape).toEqual(first.tape);
    }
  });

  it('respects the candidate budget, keeping a smaller failing tape', async () => {
    const { request, result } = await failingRun(tenDelays);
    const output = await shrinkRun(tenDelays, request, result, { budget: 5 });
    expect(output.ended).toBe('budget');
    expect(output.candidates).toBe(5);
    expect(resultSignature(output.result)).toBe(resultSignature(result));
    expect(compareTapes(output.tape, trimDefaults(result.tape ?? []))).toBeLessThanOrEqual(0);
  });

  it('shouldStop ends it with the best so far', async () => {
    const { request, result } = await failingRun(tenDelays);
    let asked = 0;
    const output = await shrinkRun(tenDelays, request, result, { shouldStop: () => ++asked > 8 });
    expect(output.ended).toBe('stopped');
    expect(output.candidates).toBeLessThan(10);
    expect(resultSignature(output.result)).toBe(resultSignature(result));
    const full = await shrinkRun(tenDelays, request, result);
    expect(compareTapes(full.tape, output.tape)).toBeLessThanOrEqual(0);
  });

  it('reports a tape that does not fail as asked, unshrunk', async () => {
    const run = lenientRun(tenDelays, { seed: 1 });
    const output = await shrink({ tape: [], run, signature: 'check: delay # is big: ###' });
    expect(output.ended).toBe('not-reproduced');
    expect(output.candidates).toBe(1);
  });

  /**
   * The bug shows when a request's decision comes after the 30 s pend lifetime: WskAbortEvent
   * frees the record, then the decision's DPC reads it (scenarios/inspect-abort-race.ts:168).
   * Every failing seed shrinks to one non-default decision: the first request's delay, at
   * 30001 ms, the least past the lifetime. The four entries before it are the choices the run
   * asks before that decision (three 'IRP pends', one 'tcp: isn'), all default; they stay on the
   * tape as the run's own position markers, not as decisions. At 30000 ms the decision's timer
   * and the lifetime expire at one instant and the DPC comes first: the work item then reads the
   * freed record at another line (:157), another signature, so the shrinker keeps 30001; at
   * 29999 ms the run passes. The hosts stay five: the topology is the scenario's, not a choice.
   */
  it('inspect-abort-race: one delay past the 30 s lifetime, every other entry default', async () => {
    const shrunkTape = [
      { label: 'IRP pends', value: null },
      { label: 'IRP pends', value: null },
      { label: 'IRP pends', value: null },
      { label: 'tcp: isn', value: null },
      { label: 'decision delay ms', value: 30_001 },
    ];
    const failing: number[] = [];
    for (const seed of inspectAbortRace.seeds) {
      const request = { seed, keepTrace: true };
      const result = await runScenario(inspectAbortRace, { ...request, record: true });
      if (result.status === 'passed') continue;
      failing.push(seed);
      const output = await shrinkRun(inspectAbortRace, request, result);
      expect(output.ended).toBe('fixpoint');
      expect(output.signature).toBe(
        'violation POOL-USE-AFTER-FREE at scenarios/inspect-abort-race.ts:168',
      );
      expect(output.tape).toEqual(shrunkTape);
      expect(output.after).toEqual({
        entries: 5,
        nonDefault: 1,
        events: 74,
        time: 30_006_000_000,
        hosts: 5,
        hostsFrom: 'trace',
      });
      expect(output.candidates).toBeLessThan(100);
      if (seed === 1) {
        expect(result.tape).toHaveLength(24);
        expect(output.before).toMatchObject({ entries: 22, nonDefault: 18, events: 109 });
        expect(output.before.time).toBe(32_185_000_000);
        expect(output.candidates).toBe(54);
      }
    }
    expect(failing).toEqual([1, 2, 5, 7, 8]);
    const run = lenientRun(inspectAbortRace, { seed: 1 });
    const at = async (delay: number) =>
      resultSignature(await run([{ label: 'decision delay ms', value: delay }]));
    expect(await at(30_000)).toBe(
      'violation POOL-USE-AFTER-FREE at scenarios/inspect-abort-race.ts:157',
    );
    expect(await at(29_999)).toBeNull();
  });

  /**
   * The rare bugs' declared strategy runs (failingRuns) shrink to one decision each: the swarm
   * draw or the injected fault the bug needs. accept-loop-leak's failure is a leak, whose site
   * (the re-run's allocation site) names the first frame outside src/: the provider allocated
   * the socket, so that is the frame that started the run, and the replay, started from
   * elsewhere, names another. Its replay being the same run (the same trace hash), the replay's
   * signature is the target (ShrinkInput.original).
   */
  it("the rare bugs' strategy runs shrink to the one decision each needs", async () => {
    const cases: { scenario: Scenario; decision: string }[] = [
      { scenario: receiveCallbackRace as Scenario, decision: 'swarm receive race' },
      { scenario: acceptLoopLeak as Scenario, decision: 'irp allocation fails' },
      { scenario: receiveEventDpcLock as Scenario, decision: 'swarm PASSIVE' },
    ];
    for (const { scenario, decision } of cases) {
      const [declared] = scenario.failingRuns ?? [];
      if (declared === undefined) throw new Error(`${scenario.name} declares no failing run`);
      const strategy = declared.strategy as StrategyName;
      const request = planRequest({}, seedOnlyRun(scenario, strategy, declared.seed));
      const result = await runScenario(scenario, { ...request, record: true });
      const output = await shrinkRun(scenario, request, result);
      expect(output.ended, scenario.name).toBe('fixpoint');
      expect(resultSignature(output.result)?.split(' at ')[0]).toBe(
        resultSignature(result)?.split(' at ')[0],
      );
      expect(output.after.nonDefault, scenario.name).toBe(1);
      expect(output.tape.find((entry) => entry.value !== null)?.label).toBe(decision);
      expect(output.after.entries).toBeLessThan(output.before.entries);
    }
  });
});
