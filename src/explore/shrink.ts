/**
 * The shrinker (issue 15): makes a failing run's tape as small and as default as it can while
 * the run still fails with the same signature (signature.ts). It is Hypothesis's choice-sequence
 * reduction ("Test-Case Reduction via Test-Case Generation: Insights from the Hypothesis
 * Reducer", MacIver and Donaldson, ECOOP 2020, https://doi.org/10.4230/LIPIcs.ECOOP.2020.13):
 * a run is its sequence of choices, so shrinking the run is shrinking the tape, and any tape
 * can be run (lenient-decider.ts: deleted entries, lowered values and misaligned labels never
 * diverge). The passes (shrink-passes.ts: delete spans, default spans,
 * minimise values) repeat until a round makes no progress, and a candidate is kept only when the
 * tape its run used is smaller in shortlex order (tape-order.ts): the result is canonical and the
 * shrinker deterministic, the same input giving the same output. Nothing here reads a clock: the
 * caller's `shouldStop` keeps the wall-clock budget, and stopping keeps the best so far.
 */
import type { Tape } from '../sim/index.ts';
import type { ScenarioResult } from './scenario.ts';
import { defaultSpans, deleteSpans, minimiseValues, type ShrinkPass } from './shrink-passes.ts';
import { runSizes, type RunSizes } from './shrink-sizes.ts';
import { ShrinkState, type RunTape, type ShrinkEnd } from './shrink-state.ts';
import { resultSignature } from './signature.ts';
import { trimDefaults } from './tape-order.ts';

export type { RunTape, ShrinkEnd } from './shrink-state.ts';
export type { RunSizes } from './shrink-sizes.ts';

export interface ShrinkInput {
  /** The failing run's tape. */
  readonly tape: Tape;
  /**
   * Runs a tape with the failing run's other options, leniently (lenientRun in shrink-run.ts):
   * the result's `tape` must be the tape the run used, defaults null.
   */
  readonly run: RunTape;
  /** The failure to keep (failureSignature); by default see `original`. */
  readonly signature?: string;
  /**
   * The result of the run that made the tape. Without `signature`, the target is its signature;
   * but when the replay of the tape is the same run (the same trace hash), the replay's, since a
   * site can name the frame the run was started from rather than a driver's (a leak of a socket
   * the provider allocated has no driver frame: callerSite in src/sim/site.ts goes on to the
   * caller of runScenario). Without either, the replay's signature.
   */
  readonly original?: ScenarioResult;
  /** Runs at most this many candidates, the input's own run included. @defaultValue 1000 */
  readonly budget?: number;
  /** Asked before every run; true ends the shrinking with the best so far. */
  readonly shouldStop?: () => boolean;
}

export interface ShrinkOutput {
  /** The smallest tape found that fails with the signature (the input's, normalised, at worst). */
  readonly tape: Tape;
  /** Its run's result. */
  readonly result: ScenarioResult;
  readonly signature: string | null;
  /** Runs made, the input's own included. */
  readonly candidates: number;
  /** Why it ended: a fixpoint, the budget, shouldStop, or the input not failing as asked. */
  readonly ended: ShrinkEnd;
  readonly before: RunSizes;
  readonly after: RunSizes;
}

/** The passes of one round, in order: the cheap and big wins first. */
const PASSES: readonly ShrinkPass[] = [deleteSpans, defaultSpans, minimiseValues];

/** Shrinks `input.tape`; see the module header. */
export async function shrink(input: ShrinkInput): Promise<ShrinkOutput> {
  const first = await input.run(input.tape);
  const firstTape = trimDefaults(first.tape ?? input.tape);
  const signature = input.signature ?? targetSignature(first, input.original);
  const before = runSizes(firstTape, first);
  const reproduced = signature !== null && resultSignature(first) === signature;
  const state = new ShrinkState(
    input.run,
    signature ?? '',
    input.budget ?? 1000,
    input.shouldStop ?? (() => false),
    { tape: firstTape, result: first },
  );
  state.runs = 1;
  if (reproduced) await shrinkToFixpoint(state);
  const ended = reproduced ? (state.ended ?? 'fixpoint') : 'not-reproduced';
  return {
    tape: state.best,
    result: state.bestResult,
    signature,
    candidates: state.runs,
    ended,
    before,
    after: runSizes(state.best, state.bestResult),
  };
}

async function shrinkToFixpoint(state: ShrinkState): Promise<void> {
  for (let progress = true; progress && !state.mustEnd(); ) {
    progress = false;
    for (const pass of PASSES) if (await pass(state)) progress = true;
  }
}

function targetSignature(first: ScenarioResult, original: ScenarioResult | undefined) {
  const same = original === undefined || original.traceHash === first.traceHash;
  return resultSignature(same ? first : original);
}
