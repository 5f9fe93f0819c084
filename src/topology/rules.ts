/**
 * Per-packet rules: the hook for every fault the verbs do not cover
 * (docs/design.md#options-are-data-state-is-separate, after turmoil). A rule sees each packet at
 * send time, after the sending host and the route are known, and returns a verdict: pass, deliver
 * after an extra delay, or drop with a reason. Rules run in install order and the first verdict
 * that is not pass wins, so a test can write "drop the second SYN-ACK" without touching
 * src/topology. With no rule installed the hook costs one length check per packet.
 *
 * A 'deliver' delay holds the packet at the sender for that long before it enters the first
 * link, so the packet arrives that much later and packets sent after it may overtake it.
 */
import { SimConfigError, parseDuration, type DurationInput, type Instant } from '../sim/index.ts';
import type { Packet, Payload } from './packet.ts';

/** What a rule is told besides the packet. */
export interface RuleContext {
  /** Virtual time of the send. */
  readonly now: Instant;
  /** Name of the sending host. */
  readonly sourceHost: string;
  /** Name of the host that owns the target address. */
  readonly targetHost: string;
}

export type RuleVerdict =
  | { readonly action: 'pass' }
  | { readonly action: 'deliver'; readonly delay: DurationInput }
  | { readonly action: 'drop'; readonly reason: string };

/** A per-packet rule; it may keep its own state (a counter of SYN-ACKs seen, say). */
export type Rule<P extends Payload = Payload> = (
  packet: Packet<P>, context: RuleContext,
) => RuleVerdict;

/** The shared 'pass' verdict, so a rule that lets most packets through allocates nothing. */
export const PASS: RuleVerdict = Object.freeze({ action: 'pass' });

/** What the world does with a packet after the rules: pass (-1), drop (-2), or a delay ≥ 0. */
export interface RuleOutcome {
  /** Extra delay in ns, or RULE_PASS / RULE_DROP. */
  readonly delay: number;
  /** For RULE_DROP: the trace reason, 'rule:<reason>'. */
  readonly reason: string;
}

export const RULE_PASS = -1;
export const RULE_DROP = -2;

const PASSED: RuleOutcome = Object.freeze({ delay: RULE_PASS, reason: '' });

/** Runs `rules` in install order; the first verdict that is not pass decides. */
export function applyRules<P extends Payload>(
  rules: readonly Rule<P>[], packet: Packet<P>, context: RuleContext,
): RuleOutcome {
  for (let i = 0; i < rules.length; i++) {
    const verdict = (rules[i] as Rule<P>)(packet, context);
    switch (verdict.action) {
      case 'pass':
        continue;
      case 'drop':
        return { delay: RULE_DROP, reason: `rule:${verdict.reason}` };
      case 'deliver':
        return { delay: parseDuration(`rules[${i}].delay`, verdict.delay), reason: '' };
      default:
        return badVerdict(i, verdict);
    }
  }
  return PASSED;
}

function badVerdict(index: number, verdict: never): never {
  const text = JSON.stringify(verdict);
  throw new SimConfigError(`rules[${index}]`, `returned an unknown verdict ${text}`);
}

/** Drops every packet `predicate` selects, with `reason`. */
export function dropWhere<P extends Payload = Payload>(
  reason: string, predicate: (packet: Packet<P>, context: RuleContext) => boolean,
): Rule<P> {
  const verdict: RuleVerdict = Object.freeze({ action: 'drop', reason });
  return (packet, context) => (predicate(packet, context) ? verdict : PASS);
}

/** Delays every packet `predicate` selects by `delay`. */
export function delayWhere<P extends Payload = Payload>(
  delay: DurationInput, predicate: (packet: Packet<P>, context: RuleContext) => boolean,
): Rule<P> {
  parseDuration('delayWhere.delay', delay);
  const verdict: RuleVerdict = Object.freeze({ action: 'deliver', delay });
  return (packet, context) => (predicate(packet, context) ? verdict : PASS);
}
