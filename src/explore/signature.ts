/**
 * A failure's signature: what makes two failing runs "the same failure", so that a campaign
 * reports one group per bug rather than one line per failing seed (docs/design.md#exploration).
 * A verifier failure is its kind, rule and the driver site it names; any other failure (a check,
 * a livelock, a thrown error) is its kind and message with every digit masked as '#', so that
 * counts, times and handle numbers that differ from run to run do not split a group.
 */
import type { Failure } from '../sim/index.ts';

/** The signature of `failure` (see the module header). */
export function failureSignature(failure: Failure): string {
  const details = failure.details;
  if (details !== undefined) {
    const site = details.site === undefined ? '' : ` at ${details.site}`;
    return `${failure.kind} ${details.rule}${site}`;
  }
  return `${failure.kind}: ${maskDigits(failure.message)}`;
}

/** `text` with every decimal digit replaced by '#'. */
export function maskDigits(text: string): string {
  return text.replace(/\d/g, '#');
}
