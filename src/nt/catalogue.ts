/**
 * The shape of a verifier rule catalogue. Each layer declares its own catalogue `as const`
 * (nt/rules.ts, wsk/rules.ts), so a misspelt rule id, or a violation reported as an advisory,
 * is a compile error at the `k.violation('…')` call.
 *
 * How a misuse is reported: Windows returns a status (the call's NTSTATUS or the IRP's
 * IoStatus; not a rule), the documentation forbids it or Windows would bug-check (a
 * 'violation': the run fails), or it is legal but almost always a bug (an 'advisory': recorded,
 * fails the run only under `strict`) — docs/design.md#status-violation-or-advisory.
 */

export type RuleChannel = 'violation' | 'advisory';

export interface VerifierRule {
  /** Stable id, e.g. 'IRP-COMPLETED-TWICE'. Never renamed once shipped. */
  readonly id: string;
  readonly channel: RuleChannel;
  /** One line (≤ 100 chars) saying what the driver did wrong, in present tense. */
  readonly summary: string;
  /** The documentation it rests on: Microsoft pages by title, and the project's docs/ pages. */
  readonly source: string;
}

/** The layer a rule belongs to, for listings (`wsksim rules`). */
export interface LayeredRule extends VerifierRule {
  readonly layer: string;
}

/** The ids of a catalogue's rules of one channel. */
export type RuleIdOf<List extends readonly VerifierRule[], Channel extends RuleChannel> = Extract<
  List[number],
  { readonly channel: Channel }
>['id'];

/** A catalogue by id; an id listed twice is a model bug, caught when the module loads. */
export function catalogueOf(
  layer: string,
  list: readonly VerifierRule[],
): ReadonlyMap<string, LayeredRule> {
  const map = new Map(list.map((rule) => [rule.id, { ...rule, layer }]));
  if (map.size !== list.length) throw new Error(`${layer} rules: a rule id is listed twice`);
  return map;
}
