/**
 * receive-callback-race-c (scenarios/c/receive-callback-race.c) against its TypeScript twin
 * (scenarios/receive-callback-race.ts): a C driver's WskReceiveEvent copying the indication list
 * from its own memory, and under the documented race its fixed twin answering
 * STATUS_DATA_NOT_ACCEPTED.
 *
 * - the trace: the twin's trace hash on seeds 1–20, bug and fixed alike, on the twin's declared
 *   failing run (swarm, seed 16), and with the race forced on seeds 1–5, where the fixed drivers
 *   refuse indications (STATUS_DATA_NOT_ACCEPTED) and the bugs reuse the pending IRP at the same
 *   record; the twin's hash, its pool 'touched' records included;
 * - the bug: it fails as it declares under the race (the trigger of
 *   test/scenarios/rare-bugs.test.ts), and the fixed twin passes with every upload whole;
 * - fuzz: a swarm campaign of 100 runs finds it and fails no other way; the fixed twin passes it;
 * - shrink: the swarm run shrinks to one decision, 'swarm receive race', as the twin's does
 *   (test/explore/shrink.test.ts).
 */
import { describe, expect, it, type TestContext } from 'vitest';
import {
  failsAsExpected,
  runScenario,
  type RunRequest,
  type Scenario,
} from '../../src/explore/scenario.ts';
import twin from '../../scenarios/receive-callback-race.ts';
import twinFixed from '../../scenarios/receive-callback-race-fixed.ts';
import bugC from '../../scenarios/receive-callback-race-c.ts';
import fixedC from '../../scenarios/receive-callback-race-c-fixed.ts';
import {
  expectDeclaredSwarmRun,
  expectSwarmRunShrinks,
  expectSwarmFindsOnlyTheBug,
  expectTwinHashes,
  requireCScenario,
} from '../support/c-scenarios.ts';

/** The trigger: every indication the race allows comes while the WskReceive is queued. */
const RACE: Omit<RunRequest, 'seed'> = { kernel: { server: { receiveCallbackRace: 1 } } };

const PAIRS = [
  [bugC, twin],
  [fixedC, twinFixed],
] as const;

/** Skips a test, saying why, while a driver does not build. */
const needDrivers = (context: TestContext) =>
  requireCScenario(context, 'receive-callback-race', 'receive-callback-race-fixed');

describe('receive-callback-race-c', () => {
  it("has the twin's trace hash on seeds 1–20, bug and fixed, and on the swarm run", async (context) => {
    needDrivers(context);
    await expectTwinHashes(PAIRS, Array.from({ length: 20 }, (_, i) => i + 1));
    await expectDeclaredSwarmRun(bugC as Scenario, twin as Scenario, 16);
  });

  it("under the race: the twin's trace hash, the bug failing as it declares, the fixed twin refusing and passing", async (context) => {
    needDrivers(context);
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const [c, ts] of PAIRS) {
        const here = await runScenario(c as Scenario, { seed, ...RACE, keepTrace: true });
        const there = await runScenario(ts as Scenario, { seed, ...RACE, keepTrace: true });
        expect(here.traceHash, `${c.name} seed ${seed}`).toBe(there.traceHash);
        if (c === bugC) {
          expect(failsAsExpected(bugC as Scenario, here), `seed ${seed}`).toBe(true);
          expect(here.failure?.message).toMatch(/^IRP-REUSED-WHILE-PENDING/);
          continue;
        }
        expect(here.status, `seed ${seed}: ${here.failure?.message}`).toBe('passed');
        const refused = (here.trace ?? []).filter(
          (r) => (r as { status?: string }).status === 'STATUS_DATA_NOT_ACCEPTED',
        );
        expect(refused.length, `seed ${seed}`).toBeGreaterThan(0);
      }
    }
  });

  it('a swarm campaign of 100 runs finds it and fails no other way; the twin passes', async (context) => {
    needDrivers(context);
    await expectSwarmFindsOnlyTheBug(bugC as Scenario, fixedC as Scenario);
  });

  it("shrinks the swarm run to one decision, 'swarm receive race', as the twin's", async (context) => {
    needDrivers(context);
    await expectSwarmRunShrinks([bugC, twin] as Scenario[], 16, 'IRP-REUSED-WHILE-PENDING', 'swarm receive race');
  });
});
