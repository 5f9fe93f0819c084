/**
 * Where the fields C code relies on sit in a wasm32 driver's memory: the offsets of c/include's
 * structures as clang lays them out for wasm32 (4-byte pointers, ULONG_PTR and SIZE_T; natural
 * alignment). The runtime checks the same numbers with _Static_assert (c/runtime/layout-check.c),
 * so a header change that moves a field fails the build, not a run.
 */

/** IRP ("IRP structure (wdm.h)"): the fields the bridge mirrors. */
export const IRP_LAYOUT = {
  size: 104,
  Type: 0,
  Size: 2,
  MdlAddress: 4,
  IoStatusStatus: 24,
  IoStatusInformation: 28,
  PendingReturned: 33,
  StackCount: 34,
  CurrentLocation: 35,
  Cancel: 36,
  CancelIrql: 37,
} as const;

/** IO_TYPE_IRP, the IRP's Type (wdm.h). */
export const IO_TYPE_IRP = 6;

/** WSK_CLIENT_NPI { PVOID ClientContext; const WSK_CLIENT_DISPATCH *Dispatch; }. */
export const CLIENT_NPI = { ClientContext: 0, Dispatch: 4 } as const;
/** WSK_CLIENT_DISPATCH { USHORT Version; USHORT Reserved; PFN_WSK_CLIENT_EVENT ... }. */
export const CLIENT_DISPATCH = { Version: 0, Reserved: 2, WskClientEvent: 4 } as const;
/** WSK_PROVIDER_NPI { PWSK_CLIENT Client; const WSK_PROVIDER_DISPATCH *Dispatch; }. */
export const PROVIDER_NPI = { Client: 0, Dispatch: 4 } as const;
/** WSK_EVENT_CALLBACK_CONTROL { PNPIID NpiId; ULONG EventMask; }. */
export const EVENT_CALLBACK_CONTROL = { NpiId: 0, EventMask: 4, size: 8 } as const;
/** WSK_TRANSPORT { Version; SocketType; Protocol; AddressFamily; GUID ProviderId; }. */
export const TRANSPORT = {
  Version: 0,
  SocketType: 2,
  Protocol: 4,
  AddressFamily: 8,
  ProviderId: 12,
} as const;
/** WSK_INSPECT_ID { ULONG_PTR Key; ULONG SerialNumber; }. */
export const INSPECT_ID = { Key: 0, SerialNumber: 4, size: 8 } as const;
/** WSK_SOCKET { const VOID *Dispatch; }. */
export const SOCKET = { Dispatch: 0, size: 4 } as const;
/** The client listen dispatch's members, in wsk.h's order. */
export const CLIENT_LISTEN = { WskAcceptEvent: 0, WskInspectEvent: 4, WskAbortEvent: 8 } as const;
/** The client connection dispatch's members, in wsk.h's order. */
export const CLIENT_CONNECTION = {
  WskReceiveEvent: 0,
  WskDisconnectEvent: 4,
  WskSendBacklogEvent: 8,
} as const;
/** WSK_CLIENT_STREAM_DISPATCH { const WSK_CLIENT_LISTEN_DISPATCH *Listen; ... *Connect; }. */
export const CLIENT_STREAM = { Listen: 0, Connect: 4 } as const;
/** WSK_CLIENT_DATAGRAM_DISPATCH { PFN_WSK_RECEIVE_FROM_EVENT WskReceiveFromEvent; }. */
export const CLIENT_DATAGRAM = { WskReceiveFromEvent: 0 } as const;
/** WSK_DATAGRAM_INDICATION { Next; Buffer; ControlInfo; ControlInfoLength; RemoteAddress; }. */
export const DATAGRAM_INDICATION = {
  Next: 0,
  Buffer: 4,
  ControlInfo: 16,
  ControlInfoLength: 20,
  RemoteAddress: 24,
  size: 28,
} as const;
/** WSK_BUF_LIST { struct _WSK_BUF_LIST *Next; WSK_BUF Buffer; }. */
export const BUF_LIST = { Next: 0, Buffer: 4, size: 16 } as const;
/** MDL ("MDL structure (wdm.h)"): Next, Size, MdlFlags, Process, MappedSystemVa, StartVa, ... */
export const MDL_LAYOUT = {
  size: 28,
  Next: 0,
  Size: 4,
  MappedSystemVa: 12,
  StartVa: 16,
  ByteCount: 20,
  ByteOffset: 24,
} as const;
/** WSK_BUF { PMDL Mdl; ULONG Offset; SIZE_T Length; }. */
export const WSK_BUF_LAYOUT = { Mdl: 0, Offset: 4, Length: 8, size: 12 } as const;
/** WSK_DATA_INDICATION { struct _WSK_DATA_INDICATION *Next; WSK_BUF Buffer; }. */
export const DATA_INDICATION = { Next: 0, Mdl: 4, Offset: 8, Length: 12, size: 16 } as const;
/** SLIST_HEADER on a 32-bit target: { SLIST_ENTRY Next; USHORT Depth; USHORT Sequence; }. */
export const SLIST_HEADER_LAYOUT = { Next: 0, Depth: 4, Sequence: 6, size: 8 } as const;
/** ADDRINFOEXW (ws2def.h) on wasm32: four ints, then SIZE_T and pointers of 4 bytes. */
export const ADDRINFO = {
  ai_flags: 0,
  ai_family: 4,
  ai_socktype: 8,
  ai_protocol: 12,
  ai_addrlen: 16,
  ai_canonname: 20,
  ai_addr: 24,
  ai_blob: 28,
  ai_bufferlen: 32,
  ai_provider: 36,
  ai_next: 40,
  size: 44,
} as const;
/** SOCKADDR_STORAGE's size: what a scratch address gets, whatever its family. */
export const SOCKADDR_STORAGE_SIZE = 128;
/** DRIVER_OBJECT and UNICODE_STRING sizes on wasm32. */
export const DRIVER_OBJECT_SIZE = 168;
/** DRIVER_OBJECT.DriverUnload's offset on wasm32. */
export const DRIVER_OBJECT_UNLOAD = 52;
export const UNICODE_STRING = { Length: 0, MaximumLength: 2, Buffer: 4, size: 8 } as const;

/**
 * The index of each provider dispatch table in the runtime's __wsksim_dispatch_table
 * (c/runtime/wsk-dispatch.c): 0 is the client-level WSK_PROVIDER_DISPATCH.
 */
export const DISPATCH_TABLE = {
  provider: 0,
  basic: 1,
  listen: 2,
  connection: 3,
  datagram: 4,
  stream: 5,
} as const;

/** DEVICE_OBJECT ("DEVICE_OBJECT structure (wdm.h)"): the fields IoCreateDevice fills. */
export const DEVICE_OBJECT_LAYOUT = {
  size: 52,
  Type: 0,
  Size: 2,
  DriverObject: 8,
  Flags: 28,
  Characteristics: 32,
  DeviceExtension: 40,
  DeviceType: 44,
  StackSize: 48,
} as const;

/** IO_TYPE_DEVICE, a DEVICE_OBJECT's Type (wdm.h). */
export const IO_TYPE_DEVICE = 3;
