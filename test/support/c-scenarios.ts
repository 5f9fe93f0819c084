/**
 * The C bug scenarios' drivers (scenarios/c/inspect-abort-race.c, accept-loop-leak.c and their
 * FIXED twins) for their tests. The global setup (c-drivers-setup.ts) builds them into
 * .wsksim/c/; a test calls `requireCScenario` first, which builds one again when it is missing or
 * older than its sources (a test run alone, a source edited), and skips the test with the
 * compiler's words when the driver does not build: while c/include lacks a routine the driver
 * calls (timers, DPCs, work items, MDLs), that is what the test waits on, said where it runs.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type TestContext } from 'vitest';
import { buildDriver } from '../../src/cli/build-driver.ts';
import { planRequest, runCampaign, seedOnlyRun } from '../../src/explore/campaign.ts';
import { failsAsExpected, runScenario, type Scenario } from '../../src/explore/scenario.ts';
import { shrinkRun } from '../../src/explore/shrink-run.ts';
import { resultSignature } from '../../src/explore/signature.ts';
import { requireToolchain } from './c-toolchain.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Each driver's build outcome in this process: null built, else why not. */
const outcomes = new Map<string, string | null>();

/** Builds `.wsksim/c/<name>.wasm` from `scenarios/c/<name>.c` unless it is up to date. */
function build(name: string): string | null {
  const source = join(ROOT, 'scenarios/c', `${name}.c`);
  const output = join(ROOT, '.wsksim/c', `${name}.wasm`);
  // A FIXED twin includes the bug's source, and every driver the shared wsk-sync.h: all count.
  const sources = [
    source,
    join(dirname(source), `${name.replace(/-fixed$/, '')}.c`),
    join(dirname(source), 'wsk-sync.h'),
  ];
  const newest = Math.max(...sources.map((file) => statSync(file).mtimeMs));
  if (existsSync(output) && statSync(output).mtimeMs > newest) return null;
  mkdirSync(dirname(output), { recursive: true });
  try {
    buildDriver({ sources: [source], output });
    return null;
  } catch (error) {
    const errors = String((error as Error).message)
      .split('\n')
      .filter((line) => line.includes('error:'))
      .map((line) => line.replace(/^.*?scenarios\/c\//, 'scenarios/c/'));
    return errors.slice(0, 6).join('; ') || String(error);
  }
}

/**
 * Call first in a test that runs the C driver `name` (or several): returns when each is built;
 * skips the test with the toolchain's or the compiler's reason otherwise.
 */
export function requireCScenario(context: TestContext, ...names: string[]): void {
  requireToolchain(context);
  for (const name of names) {
    if (!outcomes.has(name)) outcomes.set(name, build(name));
    const reason = outcomes.get(name);
    if (reason === null || reason === undefined) continue;
    const why = `scenarios/c/${name}.c does not build against c/include yet: ${reason}`;
    console.warn(`skipping "${context.task.name}": ${why}`);
    context.skip(why);
  }
}

/** A C scenario and its TypeScript twin. */
export type Twins<H> = readonly [Scenario<H>, Scenario<H>];

/**
 * Each C scenario of `pairs` passes every seed of `seeds` with one trace hash on two runs, and
 * that hash is its TypeScript twin's.
 */
export async function expectTwinHashes<H>(pairs: readonly Twins<H>[], seeds: Iterable<number>) {
  for (const [c, ts] of pairs) {
    for (const seed of seeds) {
      const here = await runScenario(c, { seed });
      const again = await runScenario(c, { seed });
      const there = await runScenario(ts, { seed });
      expect(here.status, `${c.name} seed ${seed}: ${here.failure?.message}`).toBe('passed');
      expect(again.traceHash, `${c.name} seed ${seed} again`).toBe(here.traceHash);
      expect(here.traceHash, `${c.name} seed ${seed}`).toBe(there.traceHash);
    }
  }
}

/**
 * The twin's declared failing run is the C bug's too: a swarm run of `seed`, failing as the C
 * scenario declares, with the twin's trace hash.
 */
export async function expectDeclaredSwarmRun(bug: Scenario, twin: Scenario, seed: number) {
  const [declared] = twin.failingRuns ?? [];
  expect(declared).toEqual({ strategy: 'swarm', seed });
  expect(bug.failingRuns).toEqual([declared]);
  const request = planRequest({}, seedOnlyRun(bug, 'swarm', seed));
  const here = await runScenario(bug, request);
  const there = await runScenario(twin, request);
  expect(failsAsExpected(bug, here), here.failure?.message).toBe(true);
  expect(here.traceHash).toBe(there.traceHash);
}

/** A swarm campaign of 100 runs finds the bug and fails no other way; the fixed twin passes it. */
export async function expectSwarmFindsOnlyTheBug(bug: Scenario, fixed: Scenario) {
  const found = await runCampaign(bug, { strategy: 'swarm', runs: 100, seed: 1 });
  const other = found.failures.filter((f) => !f.expected).map((f) => `${f.seed}: ${f.message}`);
  expect(other).toEqual([]);
  expect(found.failures.length).toBeGreaterThan(0);
  expect(found.ok).toBe(true);
  const clean = await runCampaign(fixed, { strategy: 'swarm', runs: 100, seed: 1 });
  expect(clean.failures.map((f) => `${f.seed}: ${f.message}`)).toEqual([]);
}

/**
 * The swarm run of `seed` shrinks, for each of `scenarios` (the C bug and its twin), to a
 * fixpoint failing with violation `rule`, its tape shorter and one decision left, labelled
 * `label`.
 */
export async function expectSwarmRunShrinks(
  scenarios: readonly Scenario[],
  seed: number,
  rule: string,
  label: string,
) {
  for (const scenario of scenarios) {
    const request = planRequest({}, seedOnlyRun(scenario, 'swarm', seed));
    const result = await runScenario(scenario, { ...request, record: true });
    const output = await shrinkRun(scenario, request, result);
    expect(output.ended, scenario.name).toBe('fixpoint');
    expect(resultSignature(output.result)?.split(' at ')[0]).toBe(`violation ${rule}`);
    expect(output.after.nonDefault, scenario.name).toBe(1);
    expect(output.tape.find((entry) => entry.value !== null)?.label).toBe(label);
    expect(output.after.entries).toBeLessThan(output.before.entries);
  }
}
