/**
 * receive-event-dpc-lock-c (scenarios/c/receive-event-dpc-lock.c) against its TypeScript twin
 * (scenarios/receive-event-dpc-lock.ts): a C driver's WskReceiveEvent walking the indication list
 * in its own memory, found by fuzz and shrunk like the TypeScript version.
 *
 * - the trace: the twin's trace hash on seeds 1–20, bug and fixed alike, and on the twin's
 *   declared failing run (swarm, seed 55); the twin's hash, its pool 'touched' records included;
 * - the bug: it fails as it declares when callbacks run at PASSIVE_LEVEL (the trigger of
 *   test/scenarios/rare-bugs.test.ts), named in the C function ReceiveEvent, and the fixed twin
 *   passes under that trigger (its check: the log counts every byte and line the clients sent);
 * - fuzz: a swarm campaign of 100 runs finds it and fails no other way; the fixed twin passes it;
 * - shrink: the swarm run shrinks to one decision, 'swarm PASSIVE', as the twin's does
 *   (test/explore/shrink.test.ts).
 */
import { describe, expect, it, type TestContext } from 'vitest';
import {
  failsAsExpected,
  runScenario,
  type RunRequest,
  type Scenario,
} from '../../src/explore/scenario.ts';
import twin from '../../scenarios/receive-event-dpc-lock.ts';
import twinFixed from '../../scenarios/receive-event-dpc-lock-fixed.ts';
import bugC from '../../scenarios/receive-event-dpc-lock-c.ts';
import fixedC from '../../scenarios/receive-event-dpc-lock-c-fixed.ts';
import {
  expectDeclaredSwarmRun,
  expectSwarmRunShrinks,
  expectSwarmFindsOnlyTheBug,
  expectTwinHashes,
  requireCScenario,
} from '../support/c-scenarios.ts';

/** The trigger: every callback on the server at PASSIVE_LEVEL. */
const PASSIVE: Omit<RunRequest, 'seed'> = { kernel: { server: { passiveCallbacks: 1 } } };

const PAIRS = [
  [bugC, twin],
  [fixedC, twinFixed],
] as const;

/** Skips a test, saying why, while a driver does not build. */
const needDrivers = (context: TestContext) =>
  requireCScenario(context, 'receive-event-dpc-lock', 'receive-event-dpc-lock-fixed');

describe('receive-event-dpc-lock-c', () => {
  it("has the twin's trace hash on seeds 1–20, bug and fixed, and on the swarm run", async (context) => {
    needDrivers(context);
    await expectTwinHashes(PAIRS, Array.from({ length: 20 }, (_, i) => i + 1));
    await expectDeclaredSwarmRun(bugC as Scenario, twin as Scenario, 55);
  });

  it('fails as it declares at PASSIVE_LEVEL, in ReceiveEvent; its twin passes, every line logged', async (context) => {
    needDrivers(context);
    for (const seed of [1, 2, 3, 4, 5]) {
      const bug = await runScenario(bugC as Scenario, { seed, ...PASSIVE });
      expect(failsAsExpected(bugC as Scenario, bug), `seed ${seed}`).toBe(true);
      expect(bug.failure?.message).toMatch(/^IRQL-NOT-DISPATCH: KeAcquireSpinLockAtDpcLevel/);
      const site = (bug.failure?.details as { site?: string } | undefined)?.site ?? '';
      // The verifier's site is the C function and the line of the call (as a fault's).
      expect(site).toMatch(/^ReceiveEvent \(scenarios\/c\/receive-event-dpc-lock\.c:\d+\)$/);
      const fixed = await runScenario(fixedC as Scenario, { seed, ...PASSIVE });
      expect(fixed.status, `seed ${seed}: ${fixed.failure?.message}`).toBe('passed');
    }
  });

  it('a swarm campaign of 100 runs finds it and fails no other way; the twin passes', async (context) => {
    needDrivers(context);
    await expectSwarmFindsOnlyTheBug(bugC as Scenario, fixedC as Scenario);
  });

  it("shrinks the swarm run to one decision, 'swarm PASSIVE', as the twin's", async (context) => {
    needDrivers(context);
    await expectSwarmRunShrinks([bugC, twin] as Scenario[], 55, 'IRQL-NOT-DISPATCH', 'swarm PASSIVE');
  });
});
