/**
 * Link options in two tiers (docs/design.md#options-are-data-state-is-separate, after fast-check):
 * users write `LinkOptions`, every field optional; `resolveLinkOptions` fills each default once,
 * validates, and returns a frozen `ResolvedLink` with one `ResolvedDirection` per direction. A
 * per-direction override (`forward` is a→b, `reverse` is b→a) replaces single fields of the shared
 * options. Every rejection is a SimConfigError naming the option path, e.g.
 * `links[a-b].forward.loss`.
 *
 * Probabilities are plain numbers in [0, 1] rather than integer ratios: the choice source takes
 * a number and compares it with one 32-bit draw, so a ratio type would add nothing but ceremony.
 */
import {
  SimConfigError, checkInteger, checkNumber, describeValue, parseDuration,
} from '../sim/index.ts';
import type { Duration, DurationInput } from '../sim/index.ts';

/** Delay added to the fixed latency, drawn per packet. */
export type JitterOptions =
  | { readonly distribution: 'uniform'; readonly max: DurationInput }
  | {
      readonly distribution: 'exponential';
      readonly mean: DurationInput;
      /** Cap of a draw. @defaultValue ten times the mean */
      readonly max?: DurationInput;
    };

/** Options of one direction of a link; every field is optional. */
export interface LinkDirectionOptions {
  /** Fixed propagation delay. @defaultValue '0ms' */
  readonly latency?: DurationInput;
  /** Random delay added to the latency. @defaultValue none */
  readonly jitter?: JitterOptions;
  /** Probability that a packet is lost, in [0, 1]. @defaultValue 0 */
  readonly loss?: number;
  /** Probability that a packet is delivered twice, in [0, 1]. @defaultValue 0 */
  readonly duplicate?: number;
  /** Probability that a packet is reordered (extra delay, may be overtaken). @defaultValue 0 */
  readonly reorder?: number;
  /** Upper bound of a reordered packet's extra delay; required when `reorder` > 0. */
  readonly reorderDelay?: DurationInput;
  /** Bits per second; serialization delay is bytes·8/bandwidth. @defaultValue infinite */
  readonly bandwidth?: number;
  /** Packets the transmit queue holds (only with a bandwidth). @defaultValue 1000 */
  readonly queuePackets?: number;
}

/** Options of a link: shared by both directions unless `forward` (a→b) or `reverse` overrides. */
export interface LinkOptions extends LinkDirectionOptions {
  readonly forward?: LinkDirectionOptions;
  readonly reverse?: LinkDirectionOptions;
}

export type ResolvedJitter =
  | { readonly distribution: 'none' }
  | { readonly distribution: 'uniform'; readonly max: Duration }
  | { readonly distribution: 'exponential'; readonly mean: Duration; readonly max: Duration };

export interface ResolvedDirection {
  readonly latency: Duration;
  readonly jitter: ResolvedJitter;
  readonly loss: number;
  readonly duplicate: number;
  readonly reorder: number;
  readonly reorderDelay: Duration;
  /** Bits per second; Infinity when unlimited. */
  readonly bandwidth: number;
  readonly queuePackets: number;
}

export interface ResolvedLink {
  /** a→b */
  readonly forward: ResolvedDirection;
  /** b→a */
  readonly reverse: ResolvedDirection;
}

const DEFAULT_QUEUE_PACKETS = 1000;
const EXPONENTIAL_CAP_FACTOR = 10;
const NO_JITTER: ResolvedJitter = Object.freeze({ distribution: 'none' });

const DIRECTION_KEYS: ReadonlySet<string> = new Set([
  'latency', 'jitter', 'loss', 'duplicate', 'reorder', 'reorderDelay', 'bandwidth', 'queuePackets',
]);
const LINK_KEYS: ReadonlySet<string> = new Set([...DIRECTION_KEYS, 'forward', 'reverse']);

/** A field's value and the option path to name when it is wrong. */
interface Field {
  readonly value: unknown;
  readonly option: string;
}

/** One direction's options: the link's, and the direction's own that override them. */
interface DirectionInput {
  readonly path: string;
  readonly side: string;
  readonly shared: Readonly<Record<string, unknown>>;
  readonly override: Readonly<Record<string, unknown>>;
}

/** Reads `key` from the override when it sets it, else from the shared options. */
function field({ path, side, shared, override }: DirectionInput, key: string): Field {
  const value = override[key];
  if (value !== undefined) return { value, option: `${path}.${side}.${key}` };
  return { value: shared[key], option: `${path}.${key}` };
}

function rejectUnknownKeys(option: string, input: object, known: ReadonlySet<string>): void {
  for (const key of Object.keys(input)) {
    if (!known.has(key)) throw new SimConfigError(`${option}.${key}`, 'unknown option');
  }
}

function asRecord(option: string, input: unknown): Readonly<Record<string, unknown>> {
  if (input === undefined) return {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SimConfigError(option, `expected an object of options, got ${describeValue(input)}`);
  }
  return input as Record<string, unknown>;
}

function probability({ value, option }: Field): number {
  return value === undefined ? 0 : checkNumber(option, value, 0, 1);
}

function duration({ value, option }: Field, fallback: number): Duration {
  if (typeof value === 'string' && /^\s*-/.test(value)) {
    throw new SimConfigError(option, `a duration cannot be negative, got ${JSON.stringify(value)}`);
  }
  return (value === undefined ? fallback : parseDuration(option, value)) as Duration;
}

function resolveJitter({ value, option }: Field): ResolvedJitter {
  if (value === undefined) return NO_JITTER;
  const jitter = asRecord(option, value);
  const kind = jitter['distribution'];
  if (kind === 'uniform') {
    rejectUnknownKeys(option, jitter, new Set(['distribution', 'max']));
    const max = parseDuration(`${option}.max`, jitter['max']);
    return Object.freeze({ distribution: 'uniform', max });
  }
  if (kind === 'exponential') {
    rejectUnknownKeys(option, jitter, new Set(['distribution', 'mean', 'max']));
    const mean = parseDuration(`${option}.mean`, jitter['mean']);
    const cap = { value: jitter['max'], option: `${option}.max` };
    const max = duration(cap, mean * EXPONENTIAL_CAP_FACTOR);
    if (max < mean) throw new SimConfigError(`${option}.max`, 'is shorter than the mean');
    return Object.freeze({ distribution: 'exponential', mean, max });
  }
  throw new SimConfigError(
    `${option}.distribution`,
    `expected 'uniform' or 'exponential', got ${describeValue(kind)}`,
  );
}

function resolveBandwidth({ value, option }: Field): number {
  if (value === undefined) return Infinity;
  const bandwidth = checkNumber(option, value, 0, Number.MAX_VALUE);
  if (bandwidth === 0) throw new SimConfigError(option, 'must be positive (omit it: unlimited)');
  return bandwidth;
}

function resolveDirection(
  path: string, side: string, shared: Readonly<Record<string, unknown>>,
  override: Readonly<Record<string, unknown>>,
): ResolvedDirection {
  const input: DirectionInput = { path, side, shared, override };
  const reorder = probability(field(input, 'reorder'));
  const reorderDelayField = field(input, 'reorderDelay');
  if (reorder > 0 && reorderDelayField.value === undefined) {
    throw new SimConfigError(`${path}.reorderDelay`, 'is required when reorder is above 0');
  }
  const queueField = field(input, 'queuePackets');
  return Object.freeze({
    latency: duration(field(input, 'latency'), 0),
    jitter: resolveJitter(field(input, 'jitter')),
    loss: probability(field(input, 'loss')),
    duplicate: probability(field(input, 'duplicate')),
    reorder,
    reorderDelay: duration(reorderDelayField, 0),
    bandwidth: resolveBandwidth(field(input, 'bandwidth')),
    queuePackets:
      queueField.value === undefined
        ? DEFAULT_QUEUE_PACKETS
        : checkInteger(queueField.option, queueField.value, 1, Number.MAX_SAFE_INTEGER),
  });
}

/**
 * Resolves the options of the link a–b (named `links[a-b]` in messages). Throws SimConfigError
 * naming the first option that is wrong; returns frozen options for both directions.
 */
export function resolveLinkOptions(path: string, input: unknown): ResolvedLink {
  const shared = asRecord(path, input);
  rejectUnknownKeys(path, shared, LINK_KEYS);
  const forward = asRecord(`${path}.forward`, shared['forward']);
  const reverse = asRecord(`${path}.reverse`, shared['reverse']);
  rejectUnknownKeys(`${path}.forward`, forward, DIRECTION_KEYS);
  rejectUnknownKeys(`${path}.reverse`, reverse, DIRECTION_KEYS);
  return Object.freeze({
    forward: resolveDirection(path, 'forward', shared, forward),
    reverse: resolveDirection(path, 'reverse', shared, reverse),
  });
}

/** Checks a node name: a non-empty string without spaces, so that traces stay one token. */
export function checkNodeName(option: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new SimConfigError(option, `expected a non-empty name, got ${describeValue(name)}`);
  }
  if (/\s/.test(name)) {
    throw new SimConfigError(option, `name ${JSON.stringify(name)} contains white space`);
  }
  return name;
}
