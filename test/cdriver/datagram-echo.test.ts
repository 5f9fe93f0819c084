/**
 * The datagram echo in C (scenarios/datagram-echo-c.ts, scenarios/c/datagram-echo.c, built by the
 * global setup) against its TypeScript twin (scenarios/datagram-echo.ts): the C server echoes
 * from inside WskReceiveFromEvent, reading each WSK_DATAGRAM_INDICATION the bridge wrote into its
 * memory, and makes the twin's kernel calls in the twin's order, so every run has the twin's trace
 * hash, seed for seed, with the pool checks on (they add no records).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/cli/load.ts';
import { runScenario } from '../../src/explore/scenario.ts';
import { hasPoolChecks } from '../../scenarios/inspect-abort-race-c.ts';
import { DATAGRAM_ECHO_WASM } from '../../scenarios/datagram-echo-c.ts';
import { requireCScenario } from '../support/c-scenarios.ts';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe('cdriver: datagram-echo in C', () => {
  it('seeds 1–20 pass with the TypeScript twin\'s trace hash, seed for seed, twice alike', async (context) => {
    requireCScenario(context, 'datagram-echo');
    expect(hasPoolChecks(DATAGRAM_ECHO_WASM)).toBe(true);
    const [c, ts] = [await loadScenario('datagram-echo-c'), await loadScenario('datagram-echo')];
    const hashes = new Set<string>();
    for (const seed of SEEDS) {
      const [ran, twin] = [await runScenario(c, { seed }), await runScenario(ts, { seed })];
      expect(ran.failure, `seed ${seed}: ${ran.failure?.message}`).toBeUndefined();
      expect(twin.failure).toBeUndefined();
      expect(ran.traceHash, `seed ${seed}`).toBe(twin.traceHash);
      expect((await runScenario(c, { seed })).traceHash).toBe(ran.traceHash);
      hashes.add(ran.traceHash);
    }
    // The seeds differ (loss, duplication, reordering): the equality is not one run twenty times.
    expect(hashes.size).toBe(SEEDS.length);
  });

  it('the runs retry and discard stale replies, and the C callback echoes from the list', async (context) => {
    requireCScenario(context, 'datagram-echo');
    const c = await loadScenario('datagram-echo-c');
    const goals = new Set<string>();
    let callbacks = 0;
    for (const seed of SEEDS) {
      const ran = await runScenario(c, { seed, keepTrace: true });
      for (const [goal, reached] of ran.goals) if (reached) goals.add(goal);
      callbacks += (ran.trace ?? []).filter(
        (r) => (r as { callback?: string }).callback === 'WskReceiveFromEvent',
      ).length;
    }
    expect(goals).toEqual(new Set(['a request was sent again', 'a stale reply was discarded']));
    expect(callbacks).toBeGreaterThan(8 * SEEDS.length);
  });

  it('under every layer\'s invariants: the same hashes', async (context) => {
    requireCScenario(context, 'datagram-echo');
    const [c, ts] = [await loadScenario('datagram-echo-c'), await loadScenario('datagram-echo')];
    for (const seed of [1, 2, 3]) {
      const request = { seed, checkInvariants: true };
      const [ran, twin] = [await runScenario(c, request), await runScenario(ts, request)];
      expect(ran.failure, `seed ${seed}: ${ran.failure?.message}`).toBeUndefined();
      expect(ran.traceHash).toBe(twin.traceHash);
    }
  });
});
