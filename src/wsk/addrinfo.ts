/**
 * ws2def.h's ADDRINFOEXW, the entry of the address list WskGetAddressInfo returns, with the flags
 * of getaddrinfo and getnameinfo and the name spaces (name-resolution.ts has the routines).
 */
import { AF_UNSPEC, type ADDRESS_FAMILY, type SOCKADDR } from './address.ts';

/** ADDRINFOEXW flags (ws2def.h). */
export const AI_PASSIVE = 0x01;
export const AI_CANONNAME = 0x02;
export const AI_NUMERICHOST = 0x04;
/** getnameinfo flags (ws2def.h). */
export const NI_NOFQDN = 0x01;
export const NI_NUMERICHOST = 0x02;
export const NI_NAMEREQD = 0x04;
export const NI_NUMERICSERV = 0x08;
export const NI_DGRAM = 0x10;
/** Name spaces (ws2def.h / winsock2.h): NS_ALL, NS_DNS. */
export const NS_ALL = 0;
export const NS_DNS = 12;

/** sizeof(SOCKADDR_IN) and sizeof(SOCKADDR_IN6) (ws2def.h), as ai_addrlen and SockAddrLength. */
export const SOCKADDR_IN_SIZE = 16;
export const SOCKADDR_IN6_SIZE = 28;

/** One entry of an address list (ws2def.h ADDRINFOEXW), as WskGetAddressInfo returns it. */
export class ADDRINFOEXW {
  ai_flags = 0;
  ai_family: ADDRESS_FAMILY = AF_UNSPEC;
  ai_socktype = 0;
  ai_protocol = 0;
  ai_addrlen = 0;
  ai_canonname: string | null = null;
  ai_addr: SOCKADDR | null = null;
  ai_blob: unknown = null;
  ai_bufferlen = 0;
  ai_provider: unknown = null;
  ai_next: ADDRINFOEXW | null = null;
}
export type PADDRINFOEXW = ADDRINFOEXW;

