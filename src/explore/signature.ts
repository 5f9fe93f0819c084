/**
 * A failure's signature: what makes two failing runs "the same bug" for the shrinker
 * (shrink.ts), so that a smaller run counts only when it fails the same way. It is the failure's
 * kind, its verifier rule id and the driver's file:line (FailureDetails.site); for a failed check
 * (kind 'check'), which has neither rule nor site, the check's message with every digit masked
 * to '#', so that "delay 3 is 812" and "delay 5 is 700" are one signature. Hypothesis tells
 * failures apart the same way while it shrinks, by the exception's type and the file and line
 * that raised it (its "interesting origin", https://hypothesis.readthedocs.io/), so that a
 * shrink never slips from one bug to another.
 */
import type { ScenarioResult } from './scenario.ts';

/** The signature of `result`'s failure, or null when it passed. */
export function failureSignature(result: Pick<ScenarioResult, 'failure'>): string | null {
  const failure = result.failure;
  if (failure === undefined) return null;
  if (failure.kind === 'check') return `check: ${failure.message.replace(/\d/g, '#')}`;
  const rule = failure.details?.rule ?? '-';
  const site = failure.details?.site ?? '-';
  return `${failure.kind} ${rule} at ${site}`;
}
