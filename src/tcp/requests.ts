/**
 * Checking what the layer above hands the port (port.ts): connect and listen requests are
 * validated here and turned into canonical values, or into the named error the port returns.
 * Nothing here throws: bad input at the port is a result, not an exception
 * (docs/design.md#three-error-channels). Addresses compare as strings inside the stack, as
 * topology's packets carry them, so input is brought to topology's canonical form (dotted quad;
 * RFC 5952 for IPv6) with topology's parser.
 */
import { parseDuration } from '../sim/index.ts';
import {
  addressFamily, isIPv4, isIPv6, parseAddress as canonicalAddress,
} from '../topology/index.ts';
import type { ConnectError, ListenError, ListenMode } from './port.ts';
import type { RejectAnswer, TcpProfile } from './profiles.ts';

/** What the stack needs to know of its host's addresses. */
export interface HostAddresses {
  readonly addresses: readonly string[];
  readonly ipv4: string | undefined;
  readonly ipv6: string | undefined;
}

export type Family = 4 | 6;

export interface ParsedAddress {
  readonly family: Family;
  readonly canonical: string;
  /** 0.0.0.0 or :: — a wildcard for listen, never a target. */
  readonly unspecified: boolean;
}

/** The last address parsed: a connect loop names the same remote address again and again. */
let lastText = '';
let lastParsed: ParsedAddress | null = null;

/** The canonical form of an address given at the port, or null when it is not an IP address. */
export function parseAddress(text: unknown): ParsedAddress | null {
  if (typeof text !== 'string') return null;
  if (text === lastText) return lastParsed;
  const parsed = isIPv4(text) || isIPv6(text) ? canonical(text) : null;
  lastText = text;
  lastParsed = parsed;
  return parsed;
}

function canonical(text: string): ParsedAddress {
  const address = canonicalAddress('address', text);
  const unspecified = address === '0.0.0.0' || address === '::';
  return Object.freeze({ family: addressFamily(address), canonical: address, unspecified });
}

/** A port number at the port: an integer in 1..65535. */
export function isValidPort(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535;
}

export interface ResolvedConnect {
  readonly localAddress: string;
  /** Index of the local address among the host's (part of the demultiplexing key). */
  readonly localIndex: number;
  /** null: pick an ephemeral port. */
  readonly localPort: number | null;
  /** The port may be shared by 4-tuple whatever the profile says (ConnectRequest.local). */
  readonly sharedPort: boolean;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

export interface ResolvedListen {
  /** null: every address; '0.0.0.0' / '::': every address of that family. */
  readonly address: string | null;
  readonly port: number;
  readonly backlog: number;
  readonly mode: ListenMode;
  readonly offerLifetime: number;
  readonly rejectAnswer: RejectAnswer;
  /** Active opens that share the port do not keep the listener out (ListenRequest.local). */
  readonly sharedPort: boolean;
}

export function resolveConnectRequest(
  host: HostAddresses, request: unknown,
): ResolvedConnect | ConnectError {
  if (!isObject(request) || !isObject(request['remote'])) return 'invalid-argument';
  const remote = request['remote'];
  const target = parseAddress(remote['address']);
  if (target === null || target.unspecified) return 'invalid-address';
  const remotePort = remote['port'];
  if (!isValidPort(remotePort)) return 'invalid-port';
  const local = request['local'];
  if (local !== undefined && !isObject(local)) return 'invalid-argument';
  const localAddress = resolveLocalAddress(host, local?.['address'], target.family);
  if (typeof localAddress !== 'string') return localAddress.error;
  const localPort = local?.['port'];
  if (localPort !== undefined && !isValidPort(localPort)) return 'invalid-port';
  return {
    localAddress,
    localIndex: host.addresses.indexOf(localAddress),
    localPort: localPort ?? null,
    sharedPort: local?.['shared'] === true,
    remoteAddress: target.canonical,
    remotePort,
  };
}

/** The local address to use: the one given (if it is the host's), else the host's of the family. */
function resolveLocalAddress(
  host: HostAddresses, given: unknown, family: Family,
): string | { error: ConnectError } {
  const own = family === 4 ? host.ipv4 : host.ipv6;
  if (given === undefined) return own ?? { error: 'family-mismatch' };
  const parsed = parseAddress(given);
  if (parsed === null) return { error: 'invalid-address' };
  if (parsed.family !== family) return { error: 'family-mismatch' };
  if (!host.addresses.includes(parsed.canonical)) return { error: 'address-not-local' };
  return parsed.canonical;
}

export function resolveListenRequest(
  host: HostAddresses, profile: TcpProfile, request: unknown,
): ResolvedListen | ListenError {
  if (!isObject(request) || !isObject(request['local'])) return 'invalid-argument';
  const local = request['local'];
  if (!isValidPort(local['port'])) return 'invalid-port';
  let address: string | null = null;
  if (local['address'] !== undefined) {
    const parsed = parseAddress(local['address']);
    if (parsed === null) return 'invalid-address';
    const owned = parsed.unspecified || host.addresses.includes(parsed.canonical);
    if (!owned) return 'address-not-local';
    address = parsed.canonical;
  }
  const backlog = request['backlog'] ?? profile.listenBacklog;
  const backlogOk = typeof backlog === 'number' && Number.isSafeInteger(backlog) && backlog >= 0;
  if (!backlogOk) return 'invalid-argument';
  const mode = request['mode'] ?? 'immediate';
  if (mode !== 'immediate' && mode !== 'deferred') return 'invalid-argument';
  const rejectAnswer = request['rejectAnswer'] ?? profile.rejectAnswer;
  if (rejectAnswer !== 'rst' && rejectAnswer !== 'silent') return 'invalid-argument';
  const offerLifetime = lifetime(request['offerLifetime'], profile.offerLifetime);
  if (offerLifetime === null) return 'invalid-argument';
  const sharedPort = local['shared'] === true;
  return { address, port: local['port'], backlog, mode, offerLifetime, rejectAnswer, sharedPort };
}

function lifetime(input: unknown, fallback: number): number | null {
  if (input === undefined) return fallback;
  try {
    const value = parseDuration('offerLifetime', input);
    return value > 0 ? value : null;
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
