/**
 * Transport-address sharing: may a WskBind take an address another socket already holds?
 * (docs/model.md#address-sharing, from the Microsoft page "Sharing Transport Addresses", with
 * "SO_REUSEADDR" and "SO_EXCLUSIVEADDRUSE"; dual-stack coverage from
 * #family-wildcard-and-ephemeral-ports, from "Dual-Stack Sockets for IPv6 Winsock Applications" and
 * the blog post "Dual Stack Sockets on Windows Vista").
 *
 * Modelled:
 * - The 6×6 table of docs/model.md#address-sharing (second bind's option and address kind against
 *   the first's), as data in SHARE_TABLE. Its cells: SUCCESS → 'success', INUSE → 'in-use' (the
 *   caller completes with STATUS_ADDRESS_ALREADY_EXISTS), DENIED → 'denied' (STATUS_ACCESS_DENIED).
 * - CHECK cells: the second socket's owning process is checked against the first socket's
 *   security descriptor. A NULL descriptor is the default one, which does not permit sharing
 *   (docs/model.md#address-sharing), and so is any descriptor object other than a
 *   SECURITY_DESCRIPTOR below.
 * - When two bindings meet at all: same port, same family, and equal addresses or a wildcard
 *   on either side ("same address" [infer], docs/model.md#address-sharing); two different specific
 *   addresses never conflict [doc]. A dual-stack AF_INET6 socket (IPV6_V6ONLY = 0) bound to '::'
 *   also holds IPv4 '0.0.0.0', and one bound to '::ffff:a.b.c.d' holds IPv4 a.b.c.d, so a bind
 *   "fails if the port is busy on either stack"
 *   (docs/model.md#family-wildcard-and-ephemeral-ports).
 *
 * Not modelled (the caller decides):
 * - Whether TIME_WAIT endpoints, or connections accepted from a listener, block a new bind:
 *   undocumented for WSK ([gap], docs/policies.md#socket-bind-and-connect-policies). Pass only the
 *   bindings that should count.
 * - Port 0: the caller assigns the ephemeral port before asking (docs/model.md#bind), and picks one
 *   that is free.
 * - Real access checks (tokens, ACLs, SO_WSK_SECURITY attached after bind): a
 *   SECURITY_DESCRIPTOR here is just the set of processes it lets share, or everyone.
 * - Whether the address is local at all, and the status of malformed addresses
 *   (docs/model.md#family-wildcard-and-ephemeral-ports).
 */
import { assert, assertNever } from '../sim/index.ts';
import { isIPv4 } from '../topology/index.ts';
import { WSK_CACHED_SECURITY_DESCRIPTOR } from './client.ts';

/**
 * No option, SO_REUSEADDR, SO_EXCLUSIVEADDRUSE (both set before bind;
 * docs/model.md#address-sharing).
 */
export type ShareMode = 'none' | 'reuse' | 'exclusive';

/** One socket's hold on a transport address, as the sharing check sees it. */
export interface Binding {
  readonly family: 'ipv4' | 'ipv6';
  /** Canonical address text; '0.0.0.0' (ipv4) / '::' (ipv6) is the wildcard. */
  readonly address: string;
  /** Host order; already assigned if the bind asked for port 0. */
  readonly port: number;
  readonly mode: ShareMode;
  /**
   * An AF_INET6 socket with IPV6_V6ONLY = 0: its '::' bind also covers IPv4 '0.0.0.0', and an
   * IPv4-mapped address '::ffff:a.b.c.d' covers IPv4 a.b.c.d. Ignored for ipv4.
   */
  readonly dualStack: boolean;
  /**
   * The socket's security descriptor, consulted when this binding is the first one of a CHECK
   * cell (null = the default descriptor, which does not permit sharing). A
   * WSK_CACHED_SECURITY_DESCRIPTOR is unwrapped to the descriptor it caches.
   */
  readonly securityDescriptor: object | null;
  /**
   * The owning process (a PEPROCESS stand-in), compared with ===. The caller normalizes a NULL
   * OwningProcess to PsInitialSystemProcess before building the binding: this module takes
   * `owner` as given.
   */
  readonly owner: unknown;
}

/** What the second bind gets: STATUS_SUCCESS, ADDRESS_ALREADY_EXISTS or ACCESS_DENIED. */
export type ShareVerdict = 'success' | 'in-use' | 'denied';

/**
 * The process identity of kernel-mode callers (a NULL OwningProcess means the current process;
 * a driver's current process is the System process).
 */
export const PsInitialSystemProcess: Readonly<{ name: 'System' }> = Object.freeze({
  name: 'System',
});

/**
 * A security descriptor that grants address sharing: to the processes listed, or to everyone.
 * Any other descriptor object (or NULL) grants nothing, as the default descriptor
 * (docs/model.md#address-sharing).
 */
export class SECURITY_DESCRIPTOR {
  /** 'Everyone', or the owners (compared with ===) that may share; a frozen copy. */
  readonly SharingAllowedTo: 'Everyone' | readonly unknown[];

  constructor(SharingAllowedTo: 'Everyone' | readonly unknown[]) {
    this.SharingAllowedTo =
      SharingAllowedTo === 'Everyone' ? 'Everyone' : Object.freeze([...SharingAllowedTo]);
  }
}

// ---- the table (docs/model.md#address-sharing) -----------------------------------------------

type Cell = 'SUCCESS' | 'INUSE' | 'DENIED' | 'CHECK';

/**
 * docs/model.md#address-sharing, cell for cell: rows are the second bind, columns the first, both
 * in the order of kindIndex (none/wildcard, none/specific, REUSEADDR/wildcard, REUSEADDR/specific,
 * EXCLUSIVE/wildcard, EXCLUSIVE/specific).
 */
const SHARE_TABLE: readonly (readonly Cell[])[] = [
  ['INUSE', 'SUCCESS', 'INUSE', 'SUCCESS', 'INUSE', 'SUCCESS'],
  ['CHECK', 'INUSE', 'CHECK', 'DENIED', 'DENIED', 'INUSE'],
  ['DENIED', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'DENIED', 'SUCCESS'],
  ['CHECK', 'DENIED', 'SUCCESS', 'SUCCESS', 'DENIED', 'DENIED'],
  ['INUSE', 'INUSE', 'INUSE', 'INUSE', 'INUSE', 'INUSE'],
  ['CHECK', 'INUSE', 'CHECK', 'INUSE', 'DENIED', 'INUSE'],
];

const MODE_ORDER: readonly ShareMode[] = ['none', 'reuse', 'exclusive'];

function wildcardOf(family: Binding['family']): string {
  return family === 'ipv4' ? '0.0.0.0' : '::';
}

/** The table row / column of a binding: its option, then its own address kind. */
function kindIndex(binding: Binding): number {
  const specific = binding.address === wildcardOf(binding.family) ? 0 : 1;
  return MODE_ORDER.indexOf(binding.mode) * 2 + specific;
}

// ---- overlap ---------------------------------------------------------------------------------

interface Covered {
  readonly family: Binding['family'];
  readonly address: string;
}

/**
 * The IPv4 address inside an IPv4-mapped IPv6 address in canonical mixed notation
 * ('::ffff:10.0.0.1' → '10.0.0.1'; 'ffff' in either case), else null. The all-hex spelling
 * ('::ffff:a00:1') is not canonical (RFC 5952 §5) and is not recognized.
 */
export function ipv4OfMapped(address: string): string | null {
  const prefix = '::ffff:';
  if (address.slice(0, prefix.length).toLowerCase() !== prefix) return null;
  const ipv4 = address.slice(prefix.length);
  return isIPv4(ipv4) ? ipv4 : null;
}

/**
 * The (family, address) pairs a binding holds (dual-stack coverage:
 * docs/model.md#family-wildcard-and-ephemeral-ports).
 */
function coverage(binding: Binding): readonly Covered[] {
  const own: Covered = { family: binding.family, address: binding.address };
  if (binding.family === 'ipv4' || !binding.dualStack) return [own];
  if (binding.address === '::') return [own, { family: 'ipv4', address: '0.0.0.0' }];
  const mapped = ipv4OfMapped(binding.address);
  return mapped === null ? [own] : [{ family: 'ipv4', address: mapped }];
}

function pairsOverlap(a: Covered, b: Covered): boolean {
  if (a.family !== b.family) return false;
  const wildcard = wildcardOf(a.family);
  return a.address === b.address || a.address === wildcard || b.address === wildcard;
}

/** True when the two bindings hold a common transport address (same port, covers meet). */
function bindingsOverlap(first: Binding, second: Binding): boolean {
  if (first.port !== second.port) return false;
  const held = coverage(first);
  return coverage(second).some((wanted) => held.some((have) => pairsOverlap(have, wanted)));
}

// ---- verdicts --------------------------------------------------------------------------------

/** The CHECK cell: does the first socket's descriptor let the second socket's owner share? */
function accessCheck(first: Binding, second: Binding): ShareVerdict {
  let descriptor = first.securityDescriptor;
  if (descriptor instanceof WSK_CACHED_SECURITY_DESCRIPTOR) {
    descriptor = descriptor.SecurityDescriptor;
  }
  // NULL, or any other descriptor object, is treated as the default one: no sharing.
  if (!(descriptor instanceof SECURITY_DESCRIPTOR)) return 'denied';
  const allowed = descriptor.SharingAllowedTo;
  if (allowed === 'Everyone') return 'success';
  return allowed.some((process) => process === second.owner) ? 'success' : 'denied';
}

/**
 * The docs/model.md#address-sharing cell for `second` binding where `first` already holds an
 * overlapping address; 'success' when the two do not overlap (different port, families that do not
 * meet, two different specific addresses).
 */
export function shareVerdict(first: Binding, second: Binding): ShareVerdict {
  if (!bindingsOverlap(first, second)) return 'success';
  const cell = SHARE_TABLE[kindIndex(second)]?.[kindIndex(first)];
  assert(cell !== undefined, `sharing: no cell for ${second.mode} after ${first.mode}`);
  switch (cell) {
    case 'SUCCESS':
      return 'success';
    case 'INUSE':
      return 'in-use';
    case 'DENIED':
      return 'denied';
    case 'CHECK':
      return accessCheck(first, second);
    default:
      return assertNever(cell);
  }
}

/**
 * Checks `second` against every existing binding in order; the first non-success verdict wins,
 * else 'success'.
 */
export function bindVerdict(existing: Iterable<Binding>, second: Binding): ShareVerdict {
  for (const first of existing) {
    const verdict = shareVerdict(first, second);
    if (verdict !== 'success') return verdict;
  }
  return 'success';
}
