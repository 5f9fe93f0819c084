/**
 * Addresses and the WSK constants a driver spells in C (docs/design.md#the-wsk-surface;
 * docs/model.md#address-formats, #family-wildcard-and-ephemeral-ports, #categories,
 * #events-per-category, #registration-and-capture, #wskcontrolclient).
 *
 * Values, each with where docs/model.md gives it:
 * - AF_INET = 2, AF_INET6 = 23 (docs/model.md#address-formats). AF_UNSPEC = 0, SOCK_STREAM = 1,
 *   SOCK_DGRAM = 2, SOCK_RAW = 3, IPPROTO_TCP = 6, IPPROTO_UDP = 17: not tabulated in
 *   docs/model.md; they are ws2def.h's (and every BSD-sockets header's) values, certain.
 * - WSK_FLAG_*_SOCKET: docs/model.md#categories, checked against wsk.h (T-RN-R/ddk_headers
 *   km/wsk.h).
 * - WSK_EVENT_*: docs/model.md#events-per-category.
 * - MAKE_WSK_VERSION / WSK_MAJOR_VERSION / WSK_MINOR_VERSION: docs/model.md#version-negotiation
 *   (wsk.h macros).
 * - WSK_NO_WAIT = 0, WSK_INFINITE_WAIT = 0xFFFFFFFF: docs/model.md#registration-and-capture.
 * - WSK_CONTROL_CLIENT codes 2–8: docs/model.md#wskcontrolclient.
 * - WskControlSocket request types and options: the table of
 *   docs/model.md#socket-options-and-control (SO_REUSEADDR 0x0004, SO_EXCLUSIVEADDRUSE =
 *   ~SO_REUSEADDR, SO_CONDITIONAL_ACCEPT 0x3002, SO_WSK_SECURITY 0x4001, SO_WSK_EVENT_CALLBACK
 *   0x4002, IPV6_V6ONLY 27 at IPPROTO_IPV6 41). SOL_SOCKET = 0xffff and the request types
 *   WskSetOption 0, WskGetOption 1, WskIoctl 2 are ws2def.h's / wsk.h's.
 * - WSK_FLAG_AT_DISPATCH_LEVEL 0x8: docs/model.md#rules-for-every-callback.
 *
 * SOCKADDR_IN / SOCKADDR_IN6 keep ws2def.h's field names. The two departures
 * (docs/design.md#the-wsk-surface, docs/model.md#address-formats): ports are host-order numbers
 * (80, not 0x5000), and addresses are canonical strings ('10.0.0.2', 'fd00::2') rather than
 * IN_ADDR / IN6_ADDR byte unions. `sockaddr('10.0.0.2:80')` and `sockaddr('[fd00::2]:80')` build
 * them; `sockaddrText` is the inverse, for traces (sin6_scope_id is not written into the text; a
 * round trip keeps scope id 0).
 */
import { addressFamily, formatEndpoint, parseEndpoint } from '../topology/index.ts';

// ---- address families, socket types, protocols (ws2def.h) ------------------------------------

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 23;
export type ADDRESS_FAMILY = number;

export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** INADDR_ANY (C: the ULONG 0) as the canonical wildcard string of this model. */
export const INADDR_ANY = '0.0.0.0';
/** in6addr_any, likewise. */
export const IN6ADDR_ANY = '::';
export const in6addr_any = IN6ADDR_ANY;

// ---- address structures ----------------------------------------------------------------------

export interface SOCKADDR_IN {
  sin_family: typeof AF_INET;
  /** Host order (a departure, docs/design.md#the-wsk-surface): 80 means port 80. */
  sin_port: number;
  /** Canonical IPv4 text. */
  sin_addr: string;
}

export interface SOCKADDR_IN6 {
  sin6_family: typeof AF_INET6;
  /** Host order. */
  sin6_port: number;
  sin6_flowinfo: number;
  /** Canonical IPv6 text. */
  sin6_addr: string;
  sin6_scope_id: number;
}

/**
 * What a PSOCKADDR argument points at; the family field decides the shape
 * (docs/model.md#address-formats).
 */
export type SOCKADDR = SOCKADDR_IN | SOCKADDR_IN6;
export type PSOCKADDR = SOCKADDR;

/**
 * A SOCKADDR_IN from '10.0.0.2:80' or a SOCKADDR_IN6 from '[fd00::2]:80' (a bad text throws
 * SimConfigError naming 'sockaddr').
 */
export function sockaddr(text: string): SOCKADDR {
  const { address, port } = parseEndpoint('sockaddr', text);
  if (addressFamily(address) === 6) {
    return {
      sin6_family: AF_INET6,
      sin6_port: port,
      sin6_flowinfo: 0,
      sin6_addr: address,
      sin6_scope_id: 0,
    };
  }
  return { sin_family: AF_INET, sin_port: port, sin_addr: address };
}

/** The text of an address for traces: '10.0.0.2:80', '[fd00::2]:80'; '<family N>' otherwise. */
export function sockaddrText(Address: SOCKADDR): string {
  if ('sin6_family' in Address && Address.sin6_family === AF_INET6) {
    return formatEndpoint({ address: Address.sin6_addr, port: Address.sin6_port });
  }
  if ('sin_family' in Address && Address.sin_family === AF_INET) {
    return formatEndpoint({ address: Address.sin_addr, port: Address.sin_port });
  }
  const fields = Address as { sin_family?: unknown; sin6_family?: unknown };
  return `<family ${String(fields.sin_family ?? fields.sin6_family)}>`;
}

/** The ADDRESS_FAMILY of a SOCKADDR (its sin_family / sin6_family field). */
export function sockaddrFamily(Address: SOCKADDR): ADDRESS_FAMILY {
  return 'sin6_family' in Address ? Address.sin6_family : Address.sin_family;
}

// ---- WSK socket categories (docs/model.md#categories; wsk.h) --------------------------------

export const WSK_FLAG_BASIC_SOCKET = 0x00000000;
export const WSK_FLAG_LISTEN_SOCKET = 0x00000001;
export const WSK_FLAG_CONNECTION_SOCKET = 0x00000002;
export const WSK_FLAG_DATAGRAM_SOCKET = 0x00000004;
export const WSK_FLAG_STREAM_SOCKET = 0x00000008;

// ---- event callback flags (docs/model.md#events-per-category) -------------------------------

export const WSK_EVENT_SEND_BACKLOG = 0x00000010;
export const WSK_EVENT_RECEIVE = 0x00000040;
export const WSK_EVENT_DISCONNECT = 0x00000080;
export const WSK_EVENT_RECEIVE_FROM = 0x00000100;
export const WSK_EVENT_ACCEPT = 0x00000200;
export const WSK_EVENT_DISABLE = 0x80000000;
/**
 * An event callback's Flags: it runs at DISPATCH_LEVEL for certain
 * (docs/model.md#rules-for-every-callback).
 */
export const WSK_FLAG_AT_DISPATCH_LEVEL = 0x00000008;

// ---- WskControlSocket (docs/model.md#socket-options-and-control) -----------------------------

/** WSK_CONTROL_SOCKET_TYPE */
export const WskSetOption = 0;
export const WskGetOption = 1;
export const WskIoctl = 2;
export type WSK_CONTROL_SOCKET_TYPE = number;

export const SOL_SOCKET = 0xffff;
export const IPPROTO_IPV6 = 41;
export const SO_REUSEADDR = 0x0004;
/** `((int)(~SO_REUSEADDR))`; as the ULONG ControlCode carries it, 0xFFFFFFFB. */
export const SO_EXCLUSIVEADDRUSE = ~SO_REUSEADDR >>> 0;
export const SO_CONDITIONAL_ACCEPT = 0x3002;
export const WSK_SO_BASE = 0x4000;
export const SO_WSK_SECURITY = WSK_SO_BASE + 1;
export const SO_WSK_EVENT_CALLBACK = WSK_SO_BASE + 2;
export const IPV6_V6ONLY = 27;

/** IOC_WSK = IOC_WS2 | 0x07000000; wsk.h: _WSAIOR(IOC_WSK, n) = IOC_OUT | IOC_WSK | n. */
export const IOC_WSK = 0x0f000000;
/** _WSAIOR(IOC_WSK, 0x5) (wsk.h; docs/model.md#socket-options-and-control). */
export const SIO_WSK_QUERY_INSPECT_ID = (0x40000000 | IOC_WSK | 0x5) >>> 0;

// ---- versions and waits (docs/model.md#registration-and-capture, #version-negotiation) -------

/** `((USHORT)((Mj) << 8) | (USHORT)((Mn) & 0xff))` */
export function MAKE_WSK_VERSION(Mj: number, Mn: number): number {
  return (((Mj << 8) & 0xffff) | (Mn & 0xff)) & 0xffff;
}
/** `((UCHAR)((V) >> 8))` */
export function WSK_MAJOR_VERSION(V: number): number {
  return (V >> 8) & 0xff;
}
/** `((UCHAR)(V))` */
export function WSK_MINOR_VERSION(V: number): number {
  return V & 0xff;
}

export const WSK_NO_WAIT = 0;
export const WSK_INFINITE_WAIT = 0xffffffff;

// ---- WskControlClient codes (docs/model.md#wskcontrolclient) ---------------------------------

export const WSK_TRANSPORT_LIST_QUERY = 2;
export const WSK_TRANSPORT_LIST_CHANGE = 3;
export const WSK_CACHE_SD = 4;
export const WSK_RELEASE_SD = 5;
export const WSK_TDI_DEVICENAME_MAPPING = 6;
export const WSK_SET_STATIC_EVENT_CALLBACKS = 7;
export const WSK_TDI_BEHAVIOR = 8;
/** The one WSK_TDI_BEHAVIOR flag (docs/model.md#wskcontrolclient). */
export const WSK_TDI_BEHAVIOR_BYPASS_TDI = 0x00000001;
