/**
 * Virtual time. Inside the simulator time is an integer count of nanoseconds held in a branded
 * number: a safe integer covers about 104 days, and plain numbers keep the hot path free of
 * bigint (docs/design.md#simulation-core-time-queue-choices-and-trace). At the user-facing edge a
 * duration is a string with a unit ('250us', '5ms', '1.5s') or a helper value (ms(5)); a bare
 * number is rejected, naming the option, because "5" could mean 5 ns or 5 s
 * (docs/design.md#determinism-contract).
 */
import { SimConfigError, describeValue } from './errors.ts';

/** Nanoseconds since the start of the simulation. */
export type Instant = number & { readonly __brand: 'Instant' };
/** A span of virtual time in nanoseconds. */
export type Duration = number & { readonly __brand: 'Duration' };

const durationTag: unique symbol = Symbol('wsksim.duration');

/** A duration made by a helper such as ms(5); distinguishable at run time from a bare number. */
export interface DurationValue {
  readonly [durationTag]: true;
  readonly ns: number;
}

/** What a user may write wherever an option takes a duration. */
export type DurationInput = string | DurationValue;

const UNIT_NS = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 } as const;
type Unit = keyof typeof UNIT_NS;

function makeValue(amount: number, unit: Unit, helper: string): DurationValue {
  if (!Number.isFinite(amount) || amount < 0) {
    throw new SimConfigError(helper, `expected a finite non-negative amount, got ${amount}`);
  }
  return Object.freeze({ [durationTag]: true as const, ns: Math.round(amount * UNIT_NS[unit]) });
}

export const ns = (amount: number): DurationValue => makeValue(amount, 'ns', 'ns()');
export const us = (amount: number): DurationValue => makeValue(amount, 'us', 'us()');
export const ms = (amount: number): DurationValue => makeValue(amount, 'ms', 'ms()');
export const seconds = (amount: number): DurationValue => makeValue(amount, 's', 'seconds()');

const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ns|us|µs|ms|s|m|h)\s*$/;

function isDurationValue(value: unknown): value is DurationValue {
  return typeof value === 'object' && value !== null && durationTag in value;
}

/**
 * Resolves a user-facing duration to nanoseconds, or throws SimConfigError naming `option`.
 * Fractions of a nanosecond are rounded to the nearest nanosecond.
 */
/**
 * Parsed duration strings: options and profiles name the same few ('5m', '120s', '200ms') on
 * every run, and a fuzz campaign builds thousands of runs. Only well-formed strings are kept;
 * bounded so an unusual caller cannot grow it without limit.
 */
const parsedDurations = new Map<string, Duration>();
const PARSED_DURATIONS_MAX = 1024;

export function parseDuration(option: string, input: unknown): Duration {
  if (isDurationValue(input)) return input.ns as Duration;
  if (typeof input === 'string') {
    const cached = parsedDurations.get(input);
    if (cached !== undefined) return cached;
  }
  if (typeof input === 'number') {
    throw new SimConfigError(
      option,
      `a bare number (${input}) is not a duration; write a unit string such as '${input}ms' ` +
        `or a helper such as ms(${input})`,
    );
  }
  if (typeof input !== 'string') {
    throw new SimConfigError(
      option,
      `expected a duration such as '5ms' or ms(5), got ${describeValue(input)}`,
    );
  }
  const match = DURATION_PATTERN.exec(input);
  if (match === null) {
    throw new SimConfigError(
      option,
      `malformed duration ${JSON.stringify(input)}; write a number and a unit ` +
        `(ns, us, ms, s, m, h) such as '250us' or '1.5s', or a helper such as ms(5)`,
    );
  }
  const nanoseconds = Math.round(Number(match[1]) * UNIT_NS[match[2] as Unit]);
  if (!Number.isSafeInteger(nanoseconds)) {
    throw new SimConfigError(option, `duration ${JSON.stringify(input)} is too long`);
  }
  if (parsedDurations.size < PARSED_DURATIONS_MAX) {
    parsedDurations.set(input, nanoseconds as Duration);
  }
  return nanoseconds as Duration;
}

/** Formats nanoseconds as seconds with microsecond precision, for traces: '1.234567s'. */
export function formatInstant(at: number): string {
  const whole = Math.floor(at / 1e9);
  const fraction = Math.floor((at % 1e9) / 1e3);
  return `${whole}.${String(fraction).padStart(6, '0')}s`;
}

/** Formats a duration with the largest unit that keeps it exact enough to read: '5ms'. */
export function formatDuration(span: number): string {
  if (span >= 1e9 && span % 1e6 === 0) return `${span / 1e9}s`;
  if (span >= 1e6 && span % 1e3 === 0) return `${span / 1e6}ms`;
  if (span >= 1e3) return `${span / 1e3}us`;
  return `${span}ns`;
}
