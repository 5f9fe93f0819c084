/**
 * SOCKADDRs between C memory and the model: network byte order in C, host order in the model
 * ("SOCKADDR_IN structure (ws2def.h)",
 * https://learn.microsoft.com/windows/win32/api/ws2def/ns-ws2def-sockaddr_in); an IPv6 address's
 * 16 bytes from its canonical text and back.
 */
import { AF_INET, AF_INET6, sockaddr, type SOCKADDR } from '../wsk/index.ts';
import type { CDriver } from './c-driver.ts';

/** The model's SOCKADDR for the C one at `address` (the family decides the shape). */
export function readSockaddr(d: CDriver, address: number): SOCKADDR {
  const family = d.u16(address);
  const port = (d.u8(address + 2) << 8) | d.u8(address + 3);
  if (family === AF_INET6) {
    const words: string[] = [];
    for (let i = 0; i < 8; i++) {
      const word = (d.u8(address + 8 + 2 * i) << 8) | d.u8(address + 9 + 2 * i);
      words.push(word.toString(16));
    }
    const text = sockaddr(`[${words.join(':')}]:${port}`);
    return { ...text, sin6_flowinfo: d.u32(address + 4), sin6_scope_id: d.u32(address + 24) };
  }
  if (family !== AF_INET) {
    // The model answers an unknown family as Windows does; keep what C gave.
    return { sin_family: family, sin_port: port, sin_addr: '0.0.0.0' } as unknown as SOCKADDR;
  }
  const octets = [0, 1, 2, 3].map((i) => d.u8(address + 4 + i));
  return { sin_family: AF_INET, sin_port: port, sin_addr: octets.join('.') };
}

/** Writes the model's SOCKADDR into C memory at `address` (network byte order). */
export function writeSockaddr(d: CDriver, address: number, value: SOCKADDR): void {
  if ('sin6_family' in value && value.sin6_family === AF_INET6) {
    d.bytes.fill(0, address, address + 28);
    d.setU16(address, AF_INET6);
    d.setU8(address + 2, value.sin6_port >> 8);
    d.setU8(address + 3, value.sin6_port & 0xff);
    d.setU32(address + 4, value.sin6_flowinfo);
    ipv6Bytes(value.sin6_addr).forEach((byte, i) => d.setU8(address + 8 + i, byte));
    d.setU32(address + 24, value.sin6_scope_id);
    return;
  }
  const v4 = value as { sin_port: number; sin_addr: string };
  d.bytes.fill(0, address, address + 16);
  d.setU16(address, AF_INET);
  d.setU8(address + 2, v4.sin_port >> 8);
  d.setU8(address + 3, v4.sin_port & 0xff);
  v4.sin_addr.split('.').forEach((octet, i) => d.setU8(address + 4 + i, Number(octet)));
}

/** The 16 bytes of canonical IPv6 text. */
function ipv6Bytes(text: string): number[] {
  const [head = '', tail] = text.split('::');
  // A dotted IPv4 tail (::ffff:10.0.0.11, RFC 4291 section 2.2 "Text Representation of
  // Addresses", https://www.rfc-editor.org/rfc/rfc4291#section-2.2) is the last two words.
  const word = (part: string): number[] => {
    if (!part.includes('.')) return [Number.parseInt(part, 16)];
    const [a = 0, b = 0, c = 0, e = 0] = part.split('.').map(Number);
    return [(a << 8) | b, (c << 8) | e];
  };
  const words = (part: string): number[] => (part === '' ? [] : part.split(':').flatMap(word));
  const front = words(head);
  const back = tail === undefined ? [] : words(tail);
  const all = [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  return all.flatMap((word) => [word >> 8, word & 0xff]);
}

