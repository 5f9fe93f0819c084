/**
 * A failure's signature: what makes two failing runs "the same bug" for the shrinker
 * (shrink.ts), so that a smaller run counts only when it fails the same way. It is the failure's
 * kind, its verifier rule id and the driver's file:line (FailureDetails.site); for a failed check
 * (kind 'check'), which has neither rule nor site, the check's message with every digit masked
 * to '#', so that "delay 3 is 812" and "delay 5 is 700" are one signature. Hypothesis keys its
 * shrinking on the exception type and the line it was raised at the same way ("Test-Case
 * Reduction via Test-Case Generation", MacIver and Donaldson, ECOOP 2020, on slippage).
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
