/**
 * A failure's signature: what makes two failing runs "the same failure", so that a campaign
 * reports one group per bug rather than one line per failing seed (docs/design.md#exploration),
 * and a shrinker (shrink.ts) counts a smaller run only when it fails the same way. A verifier
 * failure is its kind, rule and the driver site it names; any other failure (a check, a livelock,
 * a thrown error) is its kind and message with every digit masked as '#', so that counts, times
 * and handle numbers that differ from run to run do not split a group ("delay 3 is 812" and
 * "delay 5 is 700" are one signature). Hypothesis tells failures apart the same way while it
 * shrinks, by the exception's type and the file and line that raised it (its "interesting
 * origin", https://hypothesis.readthedocs.io/), so that a shrink never slips from one bug to
 * another.
 */
import type { Failure } from '../sim/index.ts';
import type { ScenarioResult } from './scenario.ts';

/** The signature of `failure` (see the module header). */
export function failureSignature(failure: Failure): string {
  const details = failure.details;
  if (details !== undefined) {
    const site = details.site === undefined ? '' : ` at ${details.site}`;
    return `${failure.kind} ${details.rule}${site}`;
  }
  return `${failure.kind}: ${maskDigits(failure.message)}`;
}

/** The signature of a run's failure, or null when it passed. */
export function resultSignature(result: Pick<ScenarioResult, 'failure'>): string | null {
  return result.failure === undefined ? null : failureSignature(result.failure);
}

/** `text` with every decimal digit replaced by '#'. */
export function maskDigits(text: string): string {
  return text.replace(/\d/g, '#');
}
