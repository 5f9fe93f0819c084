/**
 * The proof of issue 19 on the seed pages' samples: scenarios/seed-samples-c.ts runs the server
 * driver as C (scenarios/c/seed-samples.c, built by the global setup) beside the TypeScript
 * clients, and every run has the TypeScript twin's trace hash, seed for seed: the C driver makes
 * the same kernel calls in the same order at the same virtual times. The driver is built with the
 * pool checks (every load and store instrumented, build-driver's default), which trace a pool
 * block's first load or store in each event as the twin's proxy traces its first access; this
 * server keeps its sockets in a static table, as the twin keeps them in an array, so it has none.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/cli/load.ts';
import { runScenario } from '../../src/explore/scenario.ts';
import { hasPoolChecks } from '../../scenarios/inspect-abort-race-c.ts';
import { SEED_SAMPLES_WASM } from '../../scenarios/seed-samples-c.ts';
import { requireToolchain } from '../support/c-toolchain.ts';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe('cdriver: seed-samples in C', () => {
  it('seeds 1–20 pass with the TypeScript twin\'s trace hash, seed for seed', async (context) => {
    requireToolchain(context);
    expect(hasPoolChecks(SEED_SAMPLES_WASM)).toBe(true);
    const [c, ts] = [await loadScenario('seed-samples-c'), await loadScenario('seed-samples')];
    for (const seed of SEEDS) {
      const [ran, twin] = [await runScenario(c, { seed }), await runScenario(ts, { seed })];
      expect(ran.failure, `seed ${seed}: ${ran.failure?.message}`).toBeUndefined();
      expect(twin.failure).toBeUndefined();
      expect(ran.traceHash, `seed ${seed}`).toBe(twin.traceHash);
    }
  });

  it('under the verifier\'s liveness phase and every layer\'s invariants: the same hashes', async (context) => {
    requireToolchain(context);
    const [c, ts] = [await loadScenario('seed-samples-c'), await loadScenario('seed-samples')];
    for (const seed of [1, 2, 3]) {
      const request = { seed, checkInvariants: true };
      const [ran, twin] = [await runScenario(c, request), await runScenario(ts, request)];
      expect(ran.failure, `seed ${seed}: ${ran.failure?.message}`).toBeUndefined();
      expect(ran.traceHash).toBe(twin.traceHash);
    }
  });
});
