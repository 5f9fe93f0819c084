/**
 * The client level of wsk.h, as drivers use it before they have a socket: registration
 * (WSK_REGISTRATION, WSK_CLIENT_NPI and its dispatch), the provider NPI and the client-level
 * provider dispatch (WskSocket, WskSocketConnect, WskControlClient) with Windows' parameter
 * order, security descriptors and the transport list's entries; and, behind the opaque
 * WSK_REGISTRATION and WSK_CLIENT, the provider's record of one WskRegister. The routines are
 * in registration.ts (docs/model.md#registration-and-capture).
 */
import type { IRP, NTSTATUS, UNICODE_STRING } from '../nt/index.ts';
import type { Parking, SimEvent } from '../sim/index.ts';
import type { ADDRESS_FAMILY, SOCKADDR } from './address.ts';
import type { RegistrationPhase } from './lifecycle.ts';
import type { ADDRINFOEXW } from './addrinfo.ts';

// ---- structures -----------------------------------------------------------------------------


// ---- structures (docs/model.md#registration-and-capture) ------------------------------------

export type PFN_WSK_CLIENT_EVENT = (
  ClientContext: unknown,
  EventType: number,
  Information: unknown,
  InformationLength: number,
) => NTSTATUS;

export interface WSK_CLIENT_DISPATCH {
  Version: number;
  /** Must be 0. */
  Reserved: number;
  /** No client-level events are defined (docs/model.md#registration-and-capture); never called. */
  WskClientEvent: PFN_WSK_CLIENT_EVENT | null;
}

export interface WSK_CLIENT_NPI {
  ClientContext: unknown;
  Dispatch: WSK_CLIENT_DISPATCH | null;
}

/**
 * Opaque; initialised by WskRegister; the client never writes it
 * (docs/model.md#registration-and-capture).
 */
export class WSK_REGISTRATION {
  /** @internal */ state: Registration | null = null;
}

/** The opaque client object (wsk.h: `typedef PVOID PWSK_CLIENT`). */
export class WSK_CLIENT {
  /** @internal */ readonly registration: Registration;
  /** @internal */ readonly host: string;
  /** @internal The host's simulator clock: when its sockets' states change (socket-state.ts). */
  readonly clock: { readonly now: number };
  /**
   * @internal Set by the sockets slice when this client creates its first socket; the
   * ordering rule of WSK_SET_STATIC_EVENT_CALLBACKS and WSK_TDI_BEHAVIOR reads it.
   */
  socketCreated = false;
  /** @internal The static event mask (docs/model.md#static-event-callbacks); 0 when never set. */
  staticEventMask = 0;
  /** @internal WSK_TDI_BEHAVIOR flags. */
  tdiBehavior = 0;
  /** @internal Security descriptors cached by WSK_CACHE_SD and not yet released. */
  readonly cachedSds = new Set<WSK_CACHED_SECURITY_DESCRIPTOR>();

  /** @internal */
  constructor(registration: Registration, host: string, clock: { readonly now: number }) {
    this.registration = registration;
    this.host = host;
    this.clock = clock;
  }
}
export type PWSK_CLIENT = WSK_CLIENT;

/** A security descriptor as drivers hand it around (PSECURITY_DESCRIPTOR): opaque here. */
export type PSECURITY_DESCRIPTOR = object;

/** What WSK_CACHE_SD returns: an opaque handle standing for the cached descriptor. */
export class WSK_CACHED_SECURITY_DESCRIPTOR {
  readonly SecurityDescriptor: PSECURITY_DESCRIPTOR;
  /** @internal */
  constructor(SecurityDescriptor: PSECURITY_DESCRIPTOR) {
    this.SecurityDescriptor = SecurityDescriptor;
  }
}

/**
 * What is wrong with a SecurityDescriptor argument of WskSocket, WskSocketConnect or
 * SO_WSK_SECURITY, or null when nothing is (NULL, or a cached copy `Client` holds). It "must be a
 * cached copy of a security descriptor that was obtained by calling WskControlClient with the
 * WSK_CACHE_SD control code" ("PFN_WSK_SOCKET_CONNECT callback function (wsk.h)",
 * docs/model.md#creating-sockets, #wskcontrolclient, where the URL is); WskSocket and
 * SO_WSK_SECURITY take the same copy. A violation, WSK-SD-NOT-CACHED (issue 18, defect 2).
 */
export function uncachedDescriptor(Client: WSK_CLIENT, SecurityDescriptor: unknown): string | null {
  if (SecurityDescriptor === null) return null;
  if (!(SecurityDescriptor instanceof WSK_CACHED_SECURITY_DESCRIPTOR)) {
    return 'SecurityDescriptor must be a cached copy from WskControlClient(WSK_CACHE_SD)';
  }
  if (!Client.cachedSds.has(SecurityDescriptor)) {
    return 'SecurityDescriptor is a cached copy the client released already (or another client\'s)';
  }
  return null;
}

/**
 * NPI_WSK_INTERFACE_ID (wsk.h declares it `extern CONST NPIID`; its GUID value is not in the
 * reference, so it is an opaque identity here: pass this object, as C passes its address).
 */
export const NPI_WSK_INTERFACE_ID: object = Object.freeze({ name: 'NPI_WSK_INTERFACE_ID' });

/** The input of WSK_SET_STATIC_EVENT_CALLBACKS. */
export interface WSK_EVENT_CALLBACK_CONTROL {
  NpiId: object;
  EventMask: number;
}

/** Filled by WskQueryProviderCharacteristics (wsk.h). */
export class WSK_PROVIDER_CHARACTERISTICS {
  HighestVersion = 0;
  LowestVersion = 0;
}

/** A WSK_TRANSPORT entry (wsk.h; docs/model.md#wskcontrolclient). */
export interface WSK_TRANSPORT {
  Version: number;
  SocketType: number;
  Protocol: number;
  AddressFamily: ADDRESS_FAMILY;
  /** The GUID as text. */
  ProviderId: string;
}
/**
 * sizeof(WSK_TRANSPORT): USHORT Version, USHORT SocketType, ULONG Protocol, ADDRESS_FAMILY
 * (USHORT) + 2 bytes padding to align GUID's ULONG, GUID (16) = 28. Output sizes of
 * WSK_TRANSPORT_LIST_QUERY are counted in these.
 */
export const WSK_TRANSPORT_SIZE = 28;

export type PFN_WSK_SOCKET = (
  Client: PWSK_CLIENT,
  AddressFamily: ADDRESS_FAMILY,
  SocketType: number,
  Protocol: number,
  Flags: number,
  SocketContext: unknown,
  Dispatch: unknown,
  OwningProcess: unknown,
  OwningThread: unknown,
  SecurityDescriptor: PSECURITY_DESCRIPTOR | null,
  Irp: IRP,
) => NTSTATUS;

export type PFN_WSK_SOCKET_CONNECT = (
  Client: PWSK_CLIENT,
  SocketType: number,
  Protocol: number,
  LocalAddress: SOCKADDR,
  RemoteAddress: SOCKADDR,
  Flags: number,
  SocketContext: unknown,
  Dispatch: unknown,
  OwningProcess: unknown,
  OwningThread: unknown,
  SecurityDescriptor: PSECURITY_DESCRIPTOR | null,
  Irp: IRP,
) => NTSTATUS;

export type PFN_WSK_CONTROL_CLIENT = (
  Client: PWSK_CLIENT,
  ControlCode: number,
  InputSize: number,
  InputBuffer: unknown,
  OutputSize: number,
  OutputBuffer: unknown,
  OutputSizeReturned: { value: number } | null,
  Irp: IRP | null,
) => NTSTATUS;

// Name resolution (name-resolution.ts; "PFN_WSK_GET_ADDRESS_INFO callback function (wsk.h)",
// "PFN_WSK_FREE_ADDRESS_INFO callback function (wsk.h)", "PFN_WSK_GET_NAME_INFO callback
// function (wsk.h)"): Result is the `PADDRINFOEXW *` out-parameter.
export type PFN_WSK_GET_ADDRESS_INFO = (
  Client: PWSK_CLIENT,
  NodeName: UNICODE_STRING | null,
  ServiceName: UNICODE_STRING | null,
  NameSpace: number,
  Provider: unknown,
  Hints: ADDRINFOEXW | null,
  Result: { value: ADDRINFOEXW | null },
  OwningProcess: unknown,
  OwningThread: unknown,
  Irp: IRP,
) => NTSTATUS;

export type PFN_WSK_FREE_ADDRESS_INFO = (Client: PWSK_CLIENT, AddrInfo: ADDRINFOEXW) => void;

export type PFN_WSK_GET_NAME_INFO = (
  Client: PWSK_CLIENT,
  SockAddr: SOCKADDR,
  SockAddrLength: number,
  NodeName: UNICODE_STRING | null,
  ServiceName: UNICODE_STRING | null,
  Flags: number,
  OwningProcess: unknown,
  OwningThread: unknown,
  Irp: IRP,
) => NTSTATUS;

/**
 * The client-level provider dispatch (docs/model.md#provider-dispatch-tables /
 * #registration-and-capture member order: Version, Reserved, WskSocket, WskSocketConnect,
 * WskControlClient, WskGetAddressInfo, WskFreeAddressInfo, WskGetNameInfo), all present: the
 * sockets' in socket.ts, the name resolution members in name-resolution.ts.
 */
export interface WSK_PROVIDER_DISPATCH {
  readonly Version: number;
  readonly Reserved: number;
  readonly WskSocket: PFN_WSK_SOCKET;
  readonly WskSocketConnect: PFN_WSK_SOCKET_CONNECT;
  readonly WskControlClient: PFN_WSK_CONTROL_CLIENT;
  readonly WskGetAddressInfo: PFN_WSK_GET_ADDRESS_INFO;
  readonly WskFreeAddressInfo: PFN_WSK_FREE_ADDRESS_INFO;
  readonly WskGetNameInfo: PFN_WSK_GET_NAME_INFO;
}

/** Filled by WskCaptureProviderNPI. */
export class WSK_PROVIDER_NPI {
  Client: PWSK_CLIENT | null = null;
  Dispatch: WSK_PROVIDER_DISPATCH | null = null;
}

// ---- the provider's record of a registration -----------------------------------------------


export interface CaptureWaiter {
  readonly registration: Registration;
  readonly parking: Parking<NTSTATUS>;
  readonly npi: WSK_PROVIDER_NPI;
  timer: SimEvent<undefined> | null;
}

/** @internal One WskRegister's state. */
export interface Registration {
  readonly npi: WSK_CLIENT_NPI;
  readonly client: WSK_CLIENT;
  /** Written only by setRegistrationPhase (lifecycle.ts), which checks the move. */
  readonly phase: RegistrationPhase;
  /** The virtual time the phase last changed (WskRegister, WskDeregister, its return). */
  readonly stateSince: number;
  captures: number;
  readonly blocked: CaptureWaiter[];
  readonly deregisterWaiters: Parking<void>[];
  /**
   * IRPs passed to provider-dispatch calls and not yet completed
   * (docs/model.md#registration-and-capture, condition (d)).
   */
  readonly pendingIrps: Set<IRP>;
  /** The driver's file:line at WskRegister, when sites are recorded. */
  readonly site: string | null;
}
