/**
 * The seed loop (docs/design.md#exploration, the first strategy: `random`, seeded choices): one
 * scenario run on N consecutive seeds. Every run is recorded and the loop goes on after a failure,
 * so a campaign loses nothing; the first failure is kept whole for its report and replay command. A
 * scenario that declares the failure it demonstrates (`expect`,
 * docs/design.md#scenarios-may-not-lower-a-rule) is judged on that: its failures must all be the
 * expected one, and it must fail that way at least once.
 */
import { checkInteger } from '../sim/index.ts';
import { failsAsExpected, runScenario, type Scenario, type ScenarioResult } from './scenario.ts';

export interface SeedLoopRequest {
  /** The first seed. @defaultValue 1 */
  readonly from?: number;
  /** How many seeds, from `from` on. */
  readonly runs: number;
  /** Called after each run (progress). */
  readonly onRun?: (result: ScenarioResult) => void;
}

/** One failing seed, in brief. */
export interface SeedFailure {
  readonly seed: number;
  /** The failure's rule id, or its kind when no rule is involved. */
  readonly what: string;
  readonly message: string;
  /** The failure the scenario declares (`expect`). */
  readonly expected: boolean;
}

export interface SeedLoopResult {
  readonly scenario: string;
  readonly runs: number;
  readonly passed: number;
  readonly failures: readonly SeedFailure[];
  /** The first failing run, whole. */
  readonly first?: ScenarioResult;
  /** The scenario's `expect`, when it declares one. */
  readonly expect?: string;
  /**
   * The verdict: no failure at all; or, for a scenario with `expect`, every failure the
   * expected one and at least one of them.
   */
  readonly ok: boolean;
}

export async function runSeeds<H>(
  scenario: Scenario<H>,
  request: SeedLoopRequest,
): Promise<SeedLoopResult> {
  const from = checkInteger('from', request.from ?? 1, 0, Number.MAX_SAFE_INTEGER);
  const runs = checkInteger('runs', request.runs, 1, 1_000_000_000);
  const failures: SeedFailure[] = [];
  let first: ScenarioResult | undefined;
  for (let seed = from; seed < from + runs; seed++) {
    const result = await runScenario(scenario, { seed });
    request.onRun?.(result);
    const failure = result.failure;
    if (failure === undefined) continue;
    first ??= result;
    failures.push({
      seed,
      what: failure.details?.rule ?? failure.kind,
      message: failure.message,
      expected: failsAsExpected(scenario, result),
    });
  }
  const expected = scenario.expect;
  const ok =
    expected === undefined
      ? failures.length === 0
      : failures.length > 0 && failures.every((f) => f.expected);
  return {
    scenario: scenario.name,
    runs,
    passed: runs - failures.length,
    failures,
    ...(first !== undefined && { first }),
    ...(expected !== undefined && { expect: expected }),
    ok,
  };
}
