/**
 * OS profiles: the timings and policies that make a simulated stack behave like Windows 10,
 * Windows 7 or Linux, with exactly the values of the policy table in
 * docs/policies.md#tcp-profile-policies (sources in docs/tcp.md#profiles-at-a-glance,
 * #syn-and-syn-ack-retransmission, #listen-queue, #ephemeral-ports-time-wait-and-4-tuples). Every
 * value can be overridden per host. Options come in two tiers, after fast-check
 * (docs/design.md#options-are-data-state-is-separate): users write `TcpProfileOptions` (every field
 * optional, durations as strings such as '500ms'), `resolveProfile` fills the defaults of the named
 * profile, validates the result and returns a frozen `TcpProfile` in nanoseconds; a bad value
 * throws SimConfigError naming the option.
 *
 * Values no source fixes are chosen here and marked "chosen", as in the policy table: window sizes,
 * the send-window cap that stands in for congestion control, minimum/maximum RTO and the data
 * retransmission limit (Windows TcpMaxDataRetransmissions = 5, MinRto 300 ms; Linux
 * tcp_retries2 = 15, TCP_RTO_MIN 200 ms, TCP_RTO_MAX 120 s).
 */
import {
  SimConfigError, checkInteger, parseDuration, type Duration, type DurationInput,
} from '../sim/index.ts';

export type ProfileName = 'windows10' | 'windows7' | 'linux';
export const PROFILE_NAMES: readonly ProfileName[] = ['windows10', 'windows7', 'linux'];

/** What a listener's queue limit counts (docs/policies.md#tcp-profile-policies). */
export type ListenQueueModel =
  /** windows: one limit on unaccepted connections, half-open and ready; overflow → RST,ACK. */
  | 'single'
  /** linux: the accept queue holds ready ones; full → SYN dropped, final ACK dropped (or RST). */
  | 'accept-queue';

/**
 * How ephemeral and bound ports may be shared (docs/tcp.md#ephemeral-ports-time-wait-and-4-tuples).
 */
export type PortSharing =
  /** windows: an implicitly bound port is the socket's alone, also through TIME-WAIT. */
  | 'exclusive'
  /** linux: a port may serve several connections as long as each 4-tuple is unique. */
  | 'four-tuple';

export type RejectAnswer = 'rst' | 'silent';

/** Per-host TCP options as users write them: every field optional. */
export interface TcpProfileOptions {
  /** The profile the other fields override. @defaultValue 'windows10' */
  readonly profile?: ProfileName;
  /** When SYNs are sent, as offsets from connect(); the first must be '0s'. */
  readonly synSchedule?: readonly DurationInput[];
  /** When an unanswered connect fails with 'timed-out', from connect(). */
  readonly connectTimeout?: DurationInput;
  /** SYNs re-sent after RSTs before the connect is refused (windows10: 4; linux: 0). */
  readonly rstRetries?: number;
  /**
   * Delay from the previous SYN's sending to the SYN re-sent after its RST (not from the RST;
   * a RST later than this retries at once). @defaultValue '500ms'
   */
  readonly rstRetryDelay?: DurationInput;
  /** When SYN-ACKs are sent, as offsets from the first; the first must be '0s'. */
  readonly synAckSchedule?: readonly DurationInput[];
  /** When an unanswered half-open connection is dropped, from its first SYN-ACK. */
  readonly halfOpenTimeout?: DurationInput;
  /**
   * Re-send the SYN-ACK when a duplicate SYN arrives in SYN-RECEIVED (docs/tcp.md#linux-timings).
   */
  readonly synAckOnDuplicateSyn?: boolean;
  readonly listenQueue?: ListenQueueModel;
  /** Queue limit of a listener that names no backlog (windows 200; linux somaxconn 4096). */
  readonly listenBacklog?: number;
  /** linux tcp_abort_on_overflow: answer the final ACK of an overflowing handshake with RST. */
  readonly abortOnOverflow?: boolean;
  /** Answer to a SYN for a port nobody listens on. */
  readonly closedPortAnswer?: RejectAnswer;
  readonly ephemeralPortMin?: number;
  readonly ephemeralPortMax?: number;
  readonly portSharing?: PortSharing;
  /** How long the active closer holds TIME-WAIT. */
  readonly timeWait?: DurationInput;
  /** MSS announced over IPv4 (IPv6 announces 20 bytes less). */
  readonly mss?: number;
  /** Window-scale shift announced in the SYN; null sends no window-scale option. */
  readonly windowScale?: number | null;
  readonly sackPermitted?: boolean;
  readonly timestamps?: boolean;
  /** The window field of SYN and SYN-ACK (never scaled). */
  readonly synWindow?: number;
  /** Receive buffer: the most a peer may have in flight towards us. */
  readonly receiveBuffer?: number;
  /** Most unacknowledged bytes we keep in flight (stands in for a congestion window). */
  readonly sendWindowLimit?: number;
  readonly rtoInitial?: DurationInput;
  readonly rtoMin?: DurationInput;
  readonly rtoMax?: DurationInput;
  /** Data/FIN retransmissions before the connection is aborted with 'timed-out'. */
  readonly dataRetransmissions?: number;
  /** RFC 5961 RST/SYN handling with challenge ACKs (docs/tcp.md#rst-acceptance-and-rfc-5961). */
  readonly rfc5961?: boolean;
  /**
   * Lifetime of an offer left pending in a deferred-accept listener
   * (docs/policies.md#conditional-accept-policies).
   */
  readonly offerLifetime?: DurationInput;
  /** Wire answer when a deferred-accept listener rejects an offer. */
  readonly rejectAnswer?: RejectAnswer;
  /** IP TTL / hop limit of sent packets (for the pcap writer). */
  readonly ttl?: number;
}

/** Resolved, validated, frozen profile; durations in nanoseconds. */
export interface TcpProfile {
  readonly name: ProfileName;
  readonly synSchedule: readonly Duration[];
  readonly connectTimeout: Duration;
  readonly rstRetries: number;
  readonly rstRetryDelay: Duration;
  readonly synAckSchedule: readonly Duration[];
  readonly halfOpenTimeout: Duration;
  readonly synAckOnDuplicateSyn: boolean;
  readonly listenQueue: ListenQueueModel;
  readonly listenBacklog: number;
  readonly abortOnOverflow: boolean;
  readonly closedPortAnswer: RejectAnswer;
  readonly ephemeralPortMin: number;
  readonly ephemeralPortMax: number;
  readonly portSharing: PortSharing;
  readonly timeWait: Duration;
  readonly mss: number;
  readonly windowScale: number | null;
  readonly sackPermitted: boolean;
  readonly timestamps: boolean;
  readonly synWindow: number;
  readonly receiveBuffer: number;
  readonly sendWindowLimit: number;
  readonly rtoInitial: Duration;
  readonly rtoMin: Duration;
  readonly rtoMax: Duration;
  readonly dataRetransmissions: number;
  readonly rfc5961: boolean;
  readonly offerLifetime: Duration;
  readonly rejectAnswer: RejectAnswer;
  readonly ttl: number;
}

type Defaults = Required<Omit<TcpProfileOptions, 'profile'>>;

/**
 * Shared by the Windows profiles: everything but the SYN timing
 * (docs/policies.md#tcp-profile-policies).
 */
const WINDOWS_COMMON = {
  // docs/tcp.md#windows-timings: a RST proves the host alive, so the SYN is retried at the base
  // interval, counted from the previous SYN.
  rstRetryDelay: '500ms',
  // docs/policies.md#tcp-profile-policies: last documented default
  // (TcpMaxConnectResponseRetransmissions 2), 1 s doubling.
  synAckSchedule: ['0s', '1s', '3s'],
  halfOpenTimeout: '7s',
  synAckOnDuplicateSyn: true, // chosen: as Linux (docs/tcp.md#linux-timings); Windows undocumented
  listenQueue: 'single',
  listenBacklog: 200, // docs/tcp.md#windows-backlog: "typically 200 with no tuning knob"
  abortOnOverflow: false,
  closedPortAnswer: 'rst',
  ephemeralPortMin: 49152, // docs/tcp.md#ephemeral-ports-time-wait-and-4-tuples, KB929851
  ephemeralPortMax: 65535,
  portSharing: 'exclusive',
  timeWait: '120s', // TcpTimedWaitDelay
  mss: 1460,
  windowScale: 8, // a typical Windows 10 SYN (docs/tcp.md#ipv4-ipv6-and-tcp-encoding)
  sackPermitted: true,
  timestamps: false,
  synWindow: 64240,
  receiveBuffer: 262144, // chosen
  sendWindowLimit: 65536, // chosen
  rtoMin: '300ms', // chosen: netsh MinRto
  rtoMax: '60s', // docs/tcp.md#windows-timings: TCP_MAXRT's 60 s ceiling
  dataRetransmissions: 5, // chosen: TcpMaxDataRetransmissions
  // Unknown for Windows, on is the safer modern assumption
  // (docs/tcp.md#rst-acceptance-and-rfc-5961).
  rfc5961: true,
  offerLifetime: '30s',
  rejectAnswer: 'rst',
  ttl: 128,
} as const;

const DEFAULTS: { readonly [name in ProfileName]: Defaults } = {
  windows10: {
    ...WINDOWS_COMMON,
    synSchedule: ['0s', '1s', '3s', '7s', '15s'],
    connectTimeout: '21s',
    rstRetries: 4,
    rtoInitial: '1s',
  },
  windows7: {
    ...WINDOWS_COMMON,
    synSchedule: ['0s', '3s', '9s'],
    connectTimeout: '21s',
    // Inferred: the same retry-on-RST mechanism up to the SYN retransmission limit
    // (docs/tcp.md#windows-timings).
    rstRetries: 2,
    rtoInitial: '3s',
  },
  linux: {
    // docs/tcp.md#linux-timings, Linux ≥ 6.5 with tcp_syn_linear_timeouts = 4.
    synSchedule: ['0s', '1s', '2s', '3s', '4s', '5s', '7s', '11s', '19s', '35s', '67s'],
    connectTimeout: '131s',
    rstRetries: 0,
    rstRetryDelay: '500ms',
    synAckSchedule: ['0s', '1s', '3s', '7s', '15s', '31s'],
    halfOpenTimeout: '63s',
    synAckOnDuplicateSyn: true,
    listenQueue: 'accept-queue',
    listenBacklog: 4096, // somaxconn since 5.4
    abortOnOverflow: false,
    closedPortAnswer: 'rst',
    ephemeralPortMin: 32768,
    ephemeralPortMax: 60999,
    portSharing: 'four-tuple',
    timeWait: '60s',
    mss: 1460,
    windowScale: 7,
    sackPermitted: true,
    timestamps: true,
    synWindow: 64240,
    receiveBuffer: 131072, // chosen
    sendWindowLimit: 65536, // chosen
    rtoInitial: '1s',
    rtoMin: '200ms',
    rtoMax: '120s',
    dataRetransmissions: 15,
    rfc5961: true,
    offerLifetime: '30s',
    rejectAnswer: 'rst',
    ttl: 64,
  },
};

const OPTION_NAMES = new Set<string>(['profile', ...Object.keys(DEFAULTS.windows10)]);

/** The defaults of a named profile, as user-level options (durations as strings). */
export function profileDefaults(name: ProfileName): Readonly<Defaults> {
  return DEFAULTS[name];
}

/** Fills the named profile's defaults, validates, and freezes. Throws SimConfigError. */
export function resolveProfile(options: TcpProfileOptions = {}): TcpProfile {
  if (typeof options !== 'object' || options === null) {
    throw new SimConfigError('tcp', 'expected an object of TCP options');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) throw new SimConfigError(`tcp.${key}`, 'unknown TCP option');
  }
  const name = options.profile ?? 'windows10';
  if (!PROFILE_NAMES.includes(name)) {
    const expected = PROFILE_NAMES.join(', ');
    throw new SimConfigError('tcp.profile', `expected one of ${expected}, got ${String(name)}`);
  }
  const overrides = definedOnly(options);
  if (Object.keys(overrides).length === 0) return defaultProfile(name);
  const merged: Defaults = { ...DEFAULTS[name], ...overrides };
  return Object.freeze(resolveMerged(name, merged));
}

/**
 * The named profile with nothing overridden, resolved once: most stacks take one as it is, and a
 * campaign makes a stack per host per run. The profile is frozen, its schedules too.
 */
const RESOLVED_DEFAULTS = new Map<ProfileName, TcpProfile>();

function defaultProfile(name: ProfileName): TcpProfile {
  let profile = RESOLVED_DEFAULTS.get(name);
  if (profile === undefined) {
    profile = Object.freeze(resolveMerged(name, DEFAULTS[name]));
    RESOLVED_DEFAULTS.set(name, profile);
  }
  return profile;
}

function definedOnly(options: TcpProfileOptions): Partial<Defaults> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key !== 'profile' && value !== undefined) out[key] = value;
  }
  return out as Partial<Defaults>;
}

function resolveMerged(name: ProfileName, o: Defaults): TcpProfile {
  const connectTimeout = duration('connectTimeout', o.connectTimeout);
  const halfOpenTimeout = duration('halfOpenTimeout', o.halfOpenTimeout);
  const rtoMin = positive('rtoMin', o.rtoMin);
  const rtoMax = duration('rtoMax', o.rtoMax);
  if (rtoMin > rtoMax) throw new SimConfigError('tcp.rtoMin', 'must not exceed tcp.rtoMax');
  const ephemeralPortMin = integer('ephemeralPortMin', o.ephemeralPortMin, 1, 65535);
  const ephemeralPortMax = integer('ephemeralPortMax', o.ephemeralPortMax, 1, 65535);
  if (ephemeralPortMin > ephemeralPortMax) {
    throw new SimConfigError('tcp.ephemeralPortMin', 'must not exceed tcp.ephemeralPortMax');
  }
  const windowScale = o.windowScale === null ? null : integer('windowScale', o.windowScale, 0, 14);
  return {
    name,
    synSchedule: schedule('synSchedule', o.synSchedule, connectTimeout),
    connectTimeout,
    rstRetries: integer('rstRetries', o.rstRetries, 0, 100),
    rstRetryDelay: duration('rstRetryDelay', o.rstRetryDelay),
    synAckSchedule: schedule('synAckSchedule', o.synAckSchedule, halfOpenTimeout),
    halfOpenTimeout,
    synAckOnDuplicateSyn: boolean('synAckOnDuplicateSyn', o.synAckOnDuplicateSyn),
    listenQueue: oneOf('listenQueue', o.listenQueue, ['single', 'accept-queue'] as const),
    listenBacklog: integer('listenBacklog', o.listenBacklog, 0, 1_000_000),
    abortOnOverflow: boolean('abortOnOverflow', o.abortOnOverflow),
    closedPortAnswer: oneOf('closedPortAnswer', o.closedPortAnswer, ['rst', 'silent'] as const),
    ephemeralPortMin,
    ephemeralPortMax,
    portSharing: oneOf('portSharing', o.portSharing, ['exclusive', 'four-tuple'] as const),
    timeWait: duration('timeWait', o.timeWait),
    mss: integer('mss', o.mss, 536, 65495),
    windowScale,
    sackPermitted: boolean('sackPermitted', o.sackPermitted),
    timestamps: boolean('timestamps', o.timestamps),
    synWindow: integer('synWindow', o.synWindow, 1, 65535),
    receiveBuffer: integer('receiveBuffer', o.receiveBuffer, 1, receiveLimit(windowScale)),
    sendWindowLimit: integer('sendWindowLimit', o.sendWindowLimit, 1, 1 << 30),
    rtoInitial: positive('rtoInitial', o.rtoInitial),
    rtoMin,
    rtoMax,
    dataRetransmissions: integer('dataRetransmissions', o.dataRetransmissions, 0, 100),
    rfc5961: boolean('rfc5961', o.rfc5961),
    offerLifetime: positive('offerLifetime', o.offerLifetime),
    rejectAnswer: oneOf('rejectAnswer', o.rejectAnswer, ['rst', 'silent'] as const),
    ttl: integer('ttl', o.ttl, 1, 255),
  };
}

/** The largest receive buffer the announced window scale can express (RFC 7323 §2.3). */
function receiveLimit(windowScale: number | null): number {
  return windowScale === null ? 65535 : 65535 * 2 ** windowScale;
}

function duration(option: string, value: unknown): Duration {
  return parseDuration(`tcp.${option}`, value);
}

function positive(option: string, value: unknown): Duration {
  const parsed = duration(option, value);
  if (parsed <= 0) throw new SimConfigError(`tcp.${option}`, 'must be longer than zero');
  return parsed;
}

function integer(option: string, value: unknown, min: number, max: number): number {
  return checkInteger(`tcp.${option}`, value, min, max);
}

function boolean(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new SimConfigError(`tcp.${option}`, `expected true or false, got ${String(value)}`);
  }
  return value;
}

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    const expected = allowed.join(', ');
    throw new SimConfigError(`tcp.${option}`, `expected one of ${expected}, got ${String(value)}`);
  }
  return value as T;
}

/** A send schedule: starts at 0, strictly increasing, every entry before `deadline`. */
function schedule(option: string, value: unknown, deadline: Duration): readonly Duration[] {
  if (!Array.isArray(value) || value.length === 0) {
    const example = "['0s', '1s', '3s']";
    throw new SimConfigError(`tcp.${option}`, `expected a non-empty list of offsets, ${example}`);
  }
  const offsets = value.map((entry: unknown, index) => duration(`${option}[${index}]`, entry));
  if (offsets[0] !== 0) throw new SimConfigError(`tcp.${option}[0]`, "the first send is at '0s'");
  for (let i = 1; i < offsets.length; i++) {
    if ((offsets[i] as number) <= (offsets[i - 1] as number)) {
      throw new SimConfigError(`tcp.${option}[${i}]`, 'offsets must increase strictly');
    }
  }
  if ((offsets[offsets.length - 1] as number) >= deadline) {
    throw new SimConfigError(`tcp.${option}`, 'the last send must come before the timeout');
  }
  return Object.freeze(offsets);
}
