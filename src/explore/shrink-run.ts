/**
 * Shrinking a scenario's failing run (shrink.ts) given the request that made it: `lenientRun`
 * replays a tape with the request's other options through the lenient decider
 * (lenient-decider.ts), and `shrinkRun` shrinks the run's tape with it, for `wsksim shrink` to
 * call. The request's own `replay` or `decider` gives way to the lenient decider; its seed stays
 * (nothing is drawn from it: every choice the tape does not decide takes its default).
 */
import type { Tape } from '../sim/index.ts';
import { LenientDecider } from './lenient-decider.ts';
import { runScenario, type RunRequest, type Scenario, type ScenarioResult } from './scenario.ts';
import { shrink, type RunTape, type ShrinkInput, type ShrinkOutput } from './shrink.ts';

/** Runs a tape leniently with `request`'s other options; the result's tape is the one used. */
export function lenientRun<H>(
  scenario: Scenario<H>,
  request: RunRequest,
  beforeRun?: () => Promise<void>,
): RunTape {
  const { replay, decider, ...options } = request;
  void replay, void decider;
  return async (tape: Tape): Promise<ScenarioResult> => {
    await beforeRun?.();
    const lenient = new LenientDecider(tape);
    const result = await runScenario(scenario, { ...options, decider: lenient, record: true });
    return { ...result, tape: lenient.used() };
  };
}

export interface ShrinkRunOptions extends Pick<ShrinkInput, 'budget' | 'shouldStop'> {
  /**
   * Awaited before each candidate run: a caller outside the simulation lets its event loop turn
   * there, so a signal (Ctrl-C) can make `shouldStop` true. Runs themselves never wait on it.
   */
  readonly beforeRun?: () => Promise<void>;
}

/**
 * Shrinks the failing run `result` of `scenario` made by `request`, keeping its signature (that
 * of its replay when the replay is the same run: ShrinkInput.original). The result must carry
 * its tape (a run with `record` or `replay`).
 */
export function shrinkRun<H>(
  scenario: Scenario<H>,
  request: RunRequest,
  result: ScenarioResult,
  options: ShrinkRunOptions = {},
): Promise<ShrinkOutput> {
  if (result.tape === undefined)
    throw new Error('shrinkRun: the run has no tape; run it with record: true');
  const { beforeRun, ...limits } = options;
  const run = lenientRun(scenario, request, beforeRun);
  return shrink({ tape: result.tape, run, original: result, ...limits });
}
