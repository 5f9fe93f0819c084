/**
 * Porting aids: the C type names the WDK samples use (wdm.h, ntdef.h, ws2def.h, wsk.h), so that a
 * sample ports with syntax changes only, with no local aliases (README "Porting from C").
 * - Scalars are numbers (ULONG, USHORT, LONG, SIZE_T, ...), BOOLEAN a boolean, PVOID `unknown`
 *   (a context the driver casts, as C does: `Context as PWSK_APP_SOCKET_CONTEXT`).
 * - A pointer typedef is the structure's own type (PIRP is IRP, PWSK_SOCKET is WSK_SOCKET); a
 *   NULL a parameter allows is in that parameter's type (`PWSK_SOCKET | null`), as the routines
 *   declare it. An out-parameter (`PVOID *`) stays a holder `{ value }`
 *   (docs/design.md#the-wsk-surface).
 * - PEPROCESS and PETHREAD: the samples pass NULL; a PETHREAD is a system thread's KTHREAD.
 * - `sizeof('WSK_EVENT_CALLBACK_CONTROL')`: the x64 size of the structures a call takes a size
 *   of, so `sizeof(WSK_EVENT_CALLBACK_CONTROL)` ports with quotes added. The model reads sizes
 *   only where Windows checks them (the transport list, inspect IDs, name resolution's
 *   addresses); the others are what C would pass.
 */
import type { IO_STATUS_BLOCK, IRP } from '../nt/index.ts';
import type {
  IO_WORKITEM,
  KDPC,
  KEVENT,
  KSPIN_LOCK,
  KTHREAD,
  KTIMER,
  LARGE_INTEGER,
  MDL,
} from '../nt/index.ts';
import type { SOCKADDR_IN, SOCKADDR_IN6 } from './address.ts';
import type {
  WSK_CLIENT_DISPATCH,
  WSK_CLIENT_NPI,
  WSK_EVENT_CALLBACK_CONTROL,
  WSK_PROVIDER_CHARACTERISTICS,
  WSK_PROVIDER_DISPATCH,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  WSK_TRANSPORT,
} from './client.ts';
import type {
  WSK_CLIENT_CONNECTION_DISPATCH,
  WSK_CLIENT_LISTEN_DISPATCH,
  WSK_CLIENT_STREAM_DISPATCH,
  WSK_PROVIDER_BASIC_DISPATCH,
  WSK_PROVIDER_CONNECTION_DISPATCH,
  WSK_PROVIDER_LISTEN_DISPATCH,
  WSK_PROVIDER_STREAM_DISPATCH,
} from './dispatch-types.ts';

// ---- ntdef.h / basetsd.h scalars ------------------------------------------------------------

export type PVOID = unknown;
export type ULONG = number;
export type USHORT = number;
export type UCHAR = number;
export type LONG = number;
export type SHORT = number;
export type CHAR = number;
export type CCHAR = number;
export type ULONG64 = number;
export type LONG64 = number;
export type ULONGLONG = number;
export type LONGLONG = number;
export type ULONG_PTR = number;
export type LONG_PTR = number;
export type SIZE_T = number;
export type BOOLEAN = boolean;
/** `PWSTR` / `PCWSTR`: a wide string. */
export type PWSTR = string;
export type PCWSTR = string;
export type PULONG = { value: number };
export type PSIZE_T = { value: number };

// ---- wdm.h pointer typedefs -----------------------------------------------------------------

export type PIRP = IRP;
export type PIO_STATUS_BLOCK = IO_STATUS_BLOCK;
export type PMDL = MDL;
export type PKEVENT = KEVENT;
export type PRKEVENT = KEVENT;
export type PKTIMER = KTIMER;
export type PKDPC = KDPC;
export type PRKDPC = KDPC;
export type PKSPIN_LOCK = KSPIN_LOCK;
export type PIO_WORKITEM = IO_WORKITEM;
export type PLARGE_INTEGER = LARGE_INTEGER;
export type PKTHREAD = KTHREAD;
export type PETHREAD = KTHREAD;
/** A process object: opaque; WSK's OwningProcess arguments take NULL or one of these. */
export class EPROCESS {}
export type PEPROCESS = EPROCESS;

// ---- ws2def.h -------------------------------------------------------------------------------

export type PSOCKADDR_IN = SOCKADDR_IN;
export type PSOCKADDR_IN6 = SOCKADDR_IN6;

// ---- wsk.h pointer typedefs -----------------------------------------------------------------

export type PWSK_REGISTRATION = WSK_REGISTRATION;
export type PWSK_CLIENT_NPI = WSK_CLIENT_NPI;
export type PWSK_PROVIDER_NPI = WSK_PROVIDER_NPI;
export type PWSK_CLIENT_DISPATCH = WSK_CLIENT_DISPATCH;
export type PCWSK_CLIENT_DISPATCH = WSK_CLIENT_DISPATCH;
export type PWSK_PROVIDER_DISPATCH = WSK_PROVIDER_DISPATCH;
export type PCWSK_PROVIDER_DISPATCH = WSK_PROVIDER_DISPATCH;
export type PWSK_PROVIDER_CHARACTERISTICS = WSK_PROVIDER_CHARACTERISTICS;
export type PWSK_TRANSPORT = WSK_TRANSPORT;
export type PWSK_EVENT_CALLBACK_CONTROL = WSK_EVENT_CALLBACK_CONTROL;
export type PWSK_PROVIDER_BASIC_DISPATCH = WSK_PROVIDER_BASIC_DISPATCH;
export type PWSK_PROVIDER_LISTEN_DISPATCH = WSK_PROVIDER_LISTEN_DISPATCH;
export type PWSK_PROVIDER_CONNECTION_DISPATCH = WSK_PROVIDER_CONNECTION_DISPATCH;
export type PWSK_PROVIDER_STREAM_DISPATCH = WSK_PROVIDER_STREAM_DISPATCH;
export type PWSK_CLIENT_LISTEN_DISPATCH = WSK_CLIENT_LISTEN_DISPATCH;
export type PCWSK_CLIENT_LISTEN_DISPATCH = WSK_CLIENT_LISTEN_DISPATCH;
export type PWSK_CLIENT_CONNECTION_DISPATCH = WSK_CLIENT_CONNECTION_DISPATCH;
export type PCWSK_CLIENT_CONNECTION_DISPATCH = WSK_CLIENT_CONNECTION_DISPATCH;
export type PWSK_CLIENT_STREAM_DISPATCH = WSK_CLIENT_STREAM_DISPATCH;

// ---- sizeof ---------------------------------------------------------------------------------

/** The x64 sizes, in bytes, of the types a call takes a size of (the module header). */
export const SIZEOF = {
  BOOLEAN: 1,
  UCHAR: 1,
  USHORT: 2,
  ULONG: 4,
  LONG: 4,
  ULONG64: 8,
  SIZE_T: 8,
  ULONG_PTR: 8,
  PVOID: 8,
  GUID: 16,
  LARGE_INTEGER: 8,
  SOCKADDR: 16,
  SOCKADDR_IN: 16,
  SOCKADDR_IN6: 28,
  SOCKADDR_STORAGE: 128,
  /** NpiId (a pointer) and EventMask (a ULONG), padded to 8. */
  WSK_EVENT_CALLBACK_CONTROL: 16,
  /** A ULONG_PTR Key and a ULONG SerialNumber, padded. */
  WSK_INSPECT_ID: 16,
  /** PMDL Mdl, ULONG Offset (padded), SIZE_T Length. */
  WSK_BUF: 24,
  /** Version, SocketType (USHORTs), Protocol (ULONG), AddressFamily (+2 padding), GUID. */
  WSK_TRANSPORT: 28,
  /** Four ints, size_t, three pointers, size_t, two pointers. */
  ADDRINFOEXW: 72,
  /** A SECURITY_DESCRIPTOR pointer, as WSK_CACHE_SD takes it. */
  PSECURITY_DESCRIPTOR: 8,
} as const;

export type SizedType = keyof typeof SIZEOF;

/** `sizeof(T)` for the types of SIZEOF: `sizeof('WSK_EVENT_CALLBACK_CONTROL')` is 16. */
export function sizeof(Type: SizedType): number {
  return SIZEOF[Type];
}
