/**
 * IP addresses as the topology names hosts: IPv4 in dotted decimal ('10.0.0.1') and IPv6 in the
 * canonical text form of RFC 5952 §4 (lowercase, leading zeros dropped, the longest run of two or
 * more zero groups compressed to '::', the first such run on a tie). Packets carry canonical
 * strings, so two spellings of one address ('FD00:0::1', 'fd00::1') always compare equal.
 *
 * Modelled: parsing, validation and canonical printing, including IPv4-mapped IPv6 addresses in
 * mixed notation ('::ffff:10.0.0.1', RFC 5952 §5) and endpoints with a port ('[fd00::2]:80').
 * Left out: prefixes and netmasks (the topology routes by host, not by subnet), zone indices
 * ('fe80::1%eth0'), and the legacy IPv4 forms inet_aton accepts ('10.1', octal '010.0.0.1'),
 * which are rejected rather than guessed at.
 */
import { SimConfigError, describeValue } from '../sim/index.ts';

/** An address with its port, as `parseEndpoint` returns it. */
export interface Endpoint {
  /** Canonical address text. */
  readonly address: string;
  readonly port: number;
}

export type AddressFamily = 4 | 6;

const IPV4_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** The four octets of a dotted-decimal IPv4 address, or null when it is not one. */
function ipv4Octets(text: string): number[] | null {
  const match = IPV4_PATTERN.exec(text);
  if (match === null) return null;
  const octets: number[] = [];
  for (let i = 1; i <= 4; i++) {
    const part = match[i] as string;
    // A leading zero reads as octal to some parsers and as decimal to others: refuse both.
    if (part.length > 1 && part.startsWith('0')) return null;
    const value = Number(part);
    if (value > 255) return null;
    octets.push(value);
  }
  return octets;
}

/** Splits a group list ('fd00:1:2') into 16-bit values, or null when a group is malformed. */
function hexGroups(text: string): number[] | null {
  if (text === '') return [];
  const groups: number[] = [];
  for (const part of text.split(':')) {
    if (!HEX_GROUP.test(part)) return null;
    groups.push(parseInt(part, 16));
  }
  return groups;
}

/** Parses the groups of an IPv6 address whose last part may be dotted IPv4; null if invalid. */
function ipv6Groups(text: string): number[] | null {
  let body = text;
  let tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (lastColon >= 0 && body.includes('.', lastColon)) {
    const octets = ipv4Octets(body.slice(lastColon + 1));
    if (octets === null) return null;
    const [b0, b1, b2, b3] = octets as [number, number, number, number];
    tail = [(b0 << 8) | b1, (b2 << 8) | b3];
    // Keep the colon before the IPv4 part when it closes a '::' ('::1.2.3.4').
    const keep = body.endsWith('::', lastColon + 1) ? lastColon + 1 : lastColon;
    body = body.slice(0, keep);
  }
  const gap = body.indexOf('::');
  if (gap < 0) {
    const groups = hexGroups(body);
    if (groups === null || groups.length + tail.length !== 8) return null;
    return groups.concat(tail);
  }
  if (body.indexOf('::', gap + 1) >= 0) return null;
  const head = hexGroups(body.slice(0, gap));
  const rest = hexGroups(body.slice(gap + 2));
  if (head === null || rest === null) return null;
  const zeros = 8 - head.length - rest.length - tail.length;
  // '::' stands for at least one zero group (RFC 4291 §2.2).
  if (zeros < 1) return null;
  return head.concat(new Array<number>(zeros).fill(0), rest, tail);
}

/** True when `groups` is an IPv4-mapped address (::ffff:0:0/96), printed in mixed notation. */
function isMapped(groups: readonly number[]): boolean {
  for (let i = 0; i < 5; i++) if (groups[i] !== 0) return false;
  return groups[5] === 0xffff;
}

/** RFC 5952 §4: lowercase, no leading zeros, the longest zero run (≥ 2 groups) as '::'. */
function formatIPv6(groups: readonly number[]): string {
  if (isMapped(groups)) {
    const high = groups[6] as number;
    const low = groups[7] as number;
    return `::ffff:${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}

/**
 * The network-order bytes of an IPv4 (4 bytes) or IPv6 (16 bytes) address in any valid text
 * form, or undefined when `text` is neither; for encoders that write addresses on the wire.
 */
export function addressBytes(text: string): Uint8Array | undefined {
  if (text.includes(':')) {
    const groups = ipv6Groups(text);
    if (groups === null) return undefined;
    const bytes = new Uint8Array(16);
    groups.forEach((group, i) => {
      bytes[i * 2] = group >> 8;
      bytes[i * 2 + 1] = group & 0xff;
    });
    return bytes;
  }
  const octets = ipv4Octets(text);
  return octets === null ? undefined : Uint8Array.from(octets);
}

/** The canonical text of the address whose 4 (IPv4) or 16 (IPv6) bytes start at `offset`. */
export function formatAddressBytes(
  bytes: Uint8Array,
  offset: number,
  family: AddressFamily,
): string {
  if (family === 4)
    return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++)
    groups.push(((bytes[offset + i * 2] ?? 0) << 8) | (bytes[offset + i * 2 + 1] ?? 0));
  return formatIPv6(groups);
}

/** True when `text` is a dotted-decimal IPv4 address. */
export function isIPv4(text: string): boolean {
  return ipv4Octets(text) !== null;
}

/** True when `text` is an IPv6 address in any valid spelling. */
export function isIPv6(text: string): boolean {
  return text.includes(':') && ipv6Groups(text) !== null;
}

/** Canonical IPv4 text, or SimConfigError naming `option`. */
export function parseIPv4(option: string, input: unknown): string {
  if (typeof input !== 'string') {
    const got = describeValue(input);
    throw new SimConfigError(option, `expected an IPv4 address such as '10.0.0.1', got ${got}`);
  }
  if (ipv4Octets(input) === null) {
    throw new SimConfigError(
      option,
      `malformed IPv4 address ${JSON.stringify(input)}; ` +
        "write four decimal octets such as '10.0.0.1'",
    );
  }
  // Text ipv4Octets accepts is canonical already: four decimal octets, none with a leading zero,
  // so joining the octets again would give the same string.
  return input;
}

/** Canonical IPv6 text (RFC 5952), or SimConfigError naming `option`. */
export function parseIPv6(option: string, input: unknown): string {
  if (typeof input !== 'string') {
    const got = describeValue(input);
    throw new SimConfigError(option, `expected an IPv6 address such as 'fd00::1', got ${got}`);
  }
  const groups = input.includes(':') ? ipv6Groups(input) : null;
  if (groups === null) {
    throw new SimConfigError(
      option,
      `malformed IPv6 address ${JSON.stringify(input)}; ` +
        "write up to eight hex groups such as 'fd00::1'",
    );
  }
  return formatIPv6(groups);
}

/** Canonical text of an IPv4 or IPv6 address, or SimConfigError naming `option`. */
export function parseAddress(option: string, input: unknown): string {
  if (typeof input === 'string' && input.includes(':')) return parseIPv6(option, input);
  if (typeof input === 'string' && isIPv4(input)) return parseIPv4(option, input);
  throw new SimConfigError(
    option,
    `expected an IP address such as '10.0.0.1' or 'fd00::1', got ${describeValue(input)}`,
  );
}

/** The family of a canonical address: 6 when it contains a colon, else 4. */
export function addressFamily(address: string): AddressFamily {
  return address.includes(':') ? 6 : 4;
}

/**
 * Parses '10.0.0.2:80' or '[fd00::2]:80' into a canonical address and a port in [0, 65535]; an
 * IPv6 address must be bracketed, since its own colons would make the port ambiguous.
 */
export function parseEndpoint(option: string, input: unknown): Endpoint {
  if (typeof input !== 'string') {
    const got = describeValue(input);
    throw new SimConfigError(option, `expected an endpoint such as '10.0.0.2:80', got ${got}`);
  }
  const bracketed = /^\[([^\]]*)\]:(\d+)$/.exec(input);
  const plain = bracketed === null ? /^([^:[\]]*):(\d+)$/.exec(input) : null;
  const match = bracketed ?? plain;
  if (match === null) {
    throw new SimConfigError(
      option,
      `malformed endpoint ${JSON.stringify(input)}; write '10.0.0.2:80' or '[fd00::2]:80'`,
    );
  }
  const address = bracketed !== null ? parseIPv6(option, match[1]) : parseIPv4(option, match[1]);
  const port = Number(match[2]);
  if (!Number.isSafeInteger(port) || port > 65535) {
    const text = JSON.stringify(input);
    throw new SimConfigError(option, `port ${match[2] as string} of ${text} is outside [0, 65535]`);
  }
  return { address, port };
}

/** Formats an endpoint back to text, bracketing IPv6: '[fd00::2]:80'. */
export function formatEndpoint(endpoint: Endpoint): string {
  return addressFamily(endpoint.address) === 6
    ? `[${endpoint.address}]:${endpoint.port}`
    : `${endpoint.address}:${endpoint.port}`;
}
