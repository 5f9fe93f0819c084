/**
 * accept-loop-leak-c (scenarios/c/accept-loop-leak.c) against its TypeScript twin
 * (scenarios/accept-loop-leak.ts), issue 19's "bug scenarios rewritten in C, found by fuzz and
 * shrunk like their TypeScript versions":
 *
 * - the trace: the twin's trace hash on seeds 1–3, bug and fixed alike, and on the twin's declared
 *   failing run (swarm, seed 94), whose injected IRP failure leaks the same socket in both; its
 *   pool 'touched' records included (the shadow map traces a C driver's first load or store of
 *   a block in each event as the twin's proxy does);
 * - the bug: it fails as it declares when AcceptComplete's IoAllocateIrp fails (the trigger of
 *   test/scenarios/rare-bugs.test.ts, the C function named by its wasm frame), and the fixed twin
 *   passes under that trigger;
 * - fuzz: a swarm campaign of 100 runs finds it and fails no other way; the fixed twin passes it;
 * - shrink: the swarm run shrinks to one decision, 'irp allocation fails', as the twin's does;
 * - plain seeds pass for both: the bug is rare.
 */
import { describe, expect, it, type TestContext } from 'vitest';
import { planRequest, runCampaign, seedOnlyRun } from '../../src/explore/campaign.ts';
import {
  failsAsExpected,
  runScenario,
  type RunRequest,
  type Scenario,
} from '../../src/explore/scenario.ts';
import type { DecideFunction, TraceRecord } from '../../src/sim/index.ts';
import twin from '../../scenarios/accept-loop-leak.ts';
import twinFixed from '../../scenarios/accept-loop-leak-fixed.ts';
import bugC from '../../scenarios/accept-loop-leak-c.ts';
import fixedC from '../../scenarios/accept-loop-leak-c-fixed.ts';
import {
  expectSwarmFindsOnlyTheBug,
  expectSwarmRunShrinks,
  requireCScenario,
} from '../support/c-scenarios.ts';

/** How many `nt.pool` 'touched' records a trace has. */
const touches = (trace: readonly TraceRecord[]): number =>
  trace.filter((r) => r.type === 'nt.pool' && (r as { event?: string }).event === 'touched').length;

/** The innermost C function on the stack when a choice is made, by its wasm frame's name. */
function cFunction(): string {
  for (const line of (new Error().stack ?? '').split('\n')) {
    const match = /^\s*at (?:\S+\.)?(\w+) \(wasm:\/\//.exec(line);
    if (match !== null) return match[1] as string;
  }
  return '';
}

/** The trigger: the server's IoAllocateIrp called from AcceptComplete (the re-post) fails. */
const failRepost: DecideFunction = (choice) =>
  choice.fault && choice.stream === 'kernel/server' && cFunction() === 'AcceptComplete'
    ? 1
    : undefined;
const REPOST_FAILS: Omit<RunRequest, 'seed'> = { faultPoints: true, decider: failRepost };


/** Skips a test, saying why, while a driver does not build. */
const needDrivers = (context: TestContext) =>
  requireCScenario(context, 'accept-loop-leak', 'accept-loop-leak-fixed');

describe('accept-loop-leak-c', () => {
  it("has the twin's trace hash on seeds 1–3, bug and fixed, and on the swarm run", async (context) => {
    needDrivers(context);
    for (const [c, ts] of [
      [bugC, twin],
      [fixedC, twinFixed],
    ] as const) {
      for (const seed of [1, 2, 3]) {
        const here = await runScenario(c as Scenario, { seed, keepTrace: true });
        const there = await runScenario(ts as Scenario, { seed, keepTrace: true });
        expect(here.status, `${c.name} seed ${seed}: ${here.failure?.message}`).toBe('passed');
        expect(here.traceHash, `${c.name} seed ${seed}`).toBe(there.traceHash);
        expect(here.trace).toEqual(there.trace);
        expect(touches(here.trace ?? []), `${c.name} seed ${seed}`).toBeGreaterThan(0);
      }
    }
    const [declared] = twin.failingRuns ?? [];
    expect(declared).toEqual({ strategy: 'swarm', seed: 94 });
    const request = planRequest({}, seedOnlyRun(bugC as Scenario, 'swarm', 94));
    const here = await runScenario(bugC as Scenario, request);
    const there = await runScenario(twin as Scenario, request);
    expect(failsAsExpected(bugC as Scenario, here), here.failure?.message).toBe(true);
    expect(here.traceHash).toBe(there.traceHash);
  });

  it("fails as it declares when AcceptComplete's IoAllocateIrp fails; its twin passes", async (context) => {
    needDrivers(context);
    for (const seed of [1, 2, 3, 4, 5]) {
      const bug = await runScenario(bugC as Scenario, { seed, ...REPOST_FAILS });
      expect(failsAsExpected(bugC as Scenario, bug), `seed ${seed}`).toBe(true);
      expect(bug.failure?.message).toMatch(/^WSK-SOCKET-LEAKED/);
      const fixed = await runScenario(fixedC as Scenario, { seed, ...REPOST_FAILS });
      expect(fixed.status, `seed ${seed}: ${fixed.failure?.message}`).toBe('passed');
    }
  });

  it('a swarm campaign of 100 runs finds it and fails no other way; the twin passes', async (context) => {
    needDrivers(context);
    await expectSwarmFindsOnlyTheBug(bugC as Scenario, fixedC as Scenario);
  });

  it('a systematic campaign finds it, failing the re-post\'s allocation site', async (context) => {
    needDrivers(context);
    const found = await runCampaign(bugC as Scenario, { strategy: 'systematic', runs: 100 });
    const other = found.failures.filter((f) => !f.expected).map((f) => `${f.seed}: ${f.message}`);
    expect(other).toEqual([]);
    expect(found.failures.length).toBeGreaterThan(0);
    const fixed = await runCampaign(fixedC as Scenario, { strategy: 'systematic', runs: 100 });
    expect(fixed.failures.map((f) => `${f.seed}: ${f.message}`)).toEqual([]);
  });

  it("shrinks the swarm run to one decision, 'irp allocation fails', as the twin's", async (context) => {
    needDrivers(context);
    await expectSwarmRunShrinks([bugC, twin] as Scenario[], 94, 'WSK-SOCKET-LEAKED', 'irp allocation fails');
  });

  it('plain seeds 1–50 pass, bug and twin alike: the bug is rare', async (context) => {
    needDrivers(context);
    for (const scenario of [bugC, fixedC] as Scenario[]) {
      for (let seed = 1; seed <= 50; seed++) {
        const result = await runScenario(scenario, { seed });
        if (result.status !== 'passed') expect.fail(`${scenario.name} seed ${seed}`);
      }
    }
  });
});
