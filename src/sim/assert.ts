/**
 * Assertions: the channel for simulator bugs (docs/design.md#three-error-channels). A failed
 * assertion is never a modelled failure and never a configuration error; it stops the run and is
 * reported with the seed and the last trace lines by the run loop.
 */

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function assertNever(value: never): never {
  throw new AssertionError(`unhandled case: ${String(value)}`);
}

/** Documents that `condition` may legitimately be true or false here (the dual of assert). */
export function maybe(_condition: boolean): void {}
