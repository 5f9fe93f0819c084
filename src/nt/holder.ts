/**
 * C pointer parameters as this model takes them (docs/design.md#the-wsk-surface: "A C pointer
 * out-parameter becomes a mutable holder `{ value }`"; an input buffer such as `&optionValue` is a
 * holder too).
 */

/** True for a holder `{ value }`. */
export function isHolder(value: unknown): value is { value: unknown } {
  return typeof value === 'object' && value !== null && 'value' in value;
}

/** What a holder holds; null for anything that is not a holder. */
export function holderValue(value: unknown): unknown {
  return isHolder(value) ? value.value : null;
}
