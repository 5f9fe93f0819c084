/**
 * Configuration errors: the channel for scenario and option input the simulator cannot honour
 * (docs/design.md#three-error-channels). Each names the option it rejects, so the message can be
 * acted upon.
 */

export class SimConfigError extends Error {
  override readonly name = 'SimConfigError';
  readonly option: string;

  constructor(option: string, reason: string) {
    super(`option '${option}': ${reason}`);
    this.option = option;
  }
}

/** Throws SimConfigError unless `value` is a finite number in [min, max]. */
export function checkNumber(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SimConfigError(option, `expected a number, got ${describeValue(value)}`);
  }
  if (value < min || value > max) {
    throw new SimConfigError(option, `${value} is outside [${min}, ${max}]`);
  }
  return value;
}

/** Throws SimConfigError unless `value` is a safe integer in [min, max]. */
export function checkInteger(option: string, value: unknown, min: number, max: number): number {
  checkNumber(option, value, min, max);
  if (!Number.isSafeInteger(value)) {
    throw new SimConfigError(option, `expected an integer, got ${String(value)}`);
  }
  return value as number;
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
