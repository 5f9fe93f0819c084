/*
 * The offsets src/cdriver/layout.ts mirrors, checked at compile time: a header change that moves
 * a field the bridge reads or writes fails the build of every driver, not a run.
 */
#include <wsk.h>

#define AT(type, field, offset) _Static_assert(__builtin_offsetof(type, field) == (offset), #type "." #field)

_Static_assert(sizeof(IRP) == 104, "sizeof(IRP)");
AT(IRP, MdlAddress, 4);
AT(IRP, IoStatus.Status, 24);
AT(IRP, IoStatus.Information, 28);
AT(IRP, PendingReturned, 33);
AT(IRP, StackCount, 34);
AT(IRP, CurrentLocation, 35);
AT(IRP, Cancel, 36);
AT(IRP, CancelIrql, 37);
AT(WSK_CLIENT_NPI, Dispatch, 4);
AT(WSK_CLIENT_DISPATCH, WskClientEvent, 4);
AT(WSK_PROVIDER_NPI, Dispatch, 4);
AT(WSK_EVENT_CALLBACK_CONTROL, EventMask, 4);
AT(WSK_INSPECT_ID, SerialNumber, 4);
AT(WSK_CLIENT_LISTEN_DISPATCH, WskAbortEvent, 8);
AT(WSK_CLIENT_CONNECTION_DISPATCH, WskSendBacklogEvent, 8);
_Static_assert(sizeof(WSK_CLIENT_STREAM_DISPATCH) == 8, "sizeof(WSK_CLIENT_STREAM_DISPATCH)");
AT(WSK_CLIENT_STREAM_DISPATCH, Connect, 4);
_Static_assert(sizeof(DRIVER_OBJECT) == 168, "sizeof(DRIVER_OBJECT)");
AT(DRIVER_OBJECT, DriverUnload, 52);
_Static_assert(sizeof(UNICODE_STRING) == 8, "sizeof(UNICODE_STRING)");
_Static_assert(sizeof(KDPC) == 32, "sizeof(KDPC)");
_Static_assert(sizeof(KTIMER) == 40, "sizeof(KTIMER)");
_Static_assert(sizeof(MDL) == 28, "sizeof(MDL)");
AT(MDL, MappedSystemVa, 12);
AT(MDL, StartVa, 16);
AT(MDL, ByteCount, 20);
AT(MDL, ByteOffset, 24);
_Static_assert(sizeof(WSK_BUF) == 12, "sizeof(WSK_BUF)");
AT(WSK_BUF, Offset, 4);
AT(WSK_BUF, Length, 8);
_Static_assert(sizeof(SLIST_HEADER) == 8, "sizeof(SLIST_HEADER)");
AT(SLIST_HEADER, s.Depth, 4);
AT(SLIST_HEADER, s.Sequence, 6);
_Static_assert(sizeof(KWAIT_BLOCK) == 24, "sizeof(KWAIT_BLOCK)");
_Static_assert(sizeof(KMUTEX) == 32, "sizeof(KMUTEX)");
_Static_assert(sizeof(FAST_MUTEX) == 32, "sizeof(FAST_MUTEX)");
_Static_assert(sizeof(EX_RUNDOWN_REF) == 4, "sizeof(EX_RUNDOWN_REF)");
_Static_assert(sizeof(NPAGED_LOOKASIDE_LIST) == 80, "sizeof(NPAGED_LOOKASIDE_LIST)");
_Static_assert(sizeof(DEVICE_OBJECT) == 52, "sizeof(DEVICE_OBJECT)");
AT(DEVICE_OBJECT, Size, 2);
AT(DEVICE_OBJECT, DriverObject, 8);
AT(DEVICE_OBJECT, Flags, 28);
AT(DEVICE_OBJECT, Characteristics, 32);
AT(DEVICE_OBJECT, DeviceExtension, 40);
AT(DEVICE_OBJECT, DeviceType, 44);
AT(DEVICE_OBJECT, StackSize, 48);
_Static_assert(sizeof(WSK_DATA_INDICATION) == 16, "sizeof(WSK_DATA_INDICATION)");
AT(WSK_DATA_INDICATION, Buffer.Mdl, 4);
AT(WSK_DATA_INDICATION, Buffer.Offset, 8);
AT(WSK_DATA_INDICATION, Buffer.Length, 12);
_Static_assert(sizeof(WSK_DATAGRAM_INDICATION) == 28, "sizeof(WSK_DATAGRAM_INDICATION)");
AT(WSK_DATAGRAM_INDICATION, Buffer, 4);
AT(WSK_DATAGRAM_INDICATION, ControlInfo, 16);
AT(WSK_DATAGRAM_INDICATION, ControlInfoLength, 20);
AT(WSK_DATAGRAM_INDICATION, RemoteAddress, 24);
_Static_assert(sizeof(WSK_BUF_LIST) == 16, "sizeof(WSK_BUF_LIST)");
AT(WSK_BUF_LIST, Buffer, 4);
_Static_assert(sizeof(WSK_TRANSPORT) == 28, "sizeof(WSK_TRANSPORT)");
AT(WSK_TRANSPORT, Protocol, 4);
AT(WSK_TRANSPORT, AddressFamily, 8);
AT(WSK_TRANSPORT, ProviderId, 12);
_Static_assert(sizeof(ADDRINFOEXW) == 44, "sizeof(ADDRINFOEXW)");
AT(ADDRINFOEXW, ai_addrlen, 16);
AT(ADDRINFOEXW, ai_canonname, 20);
AT(ADDRINFOEXW, ai_addr, 24);
AT(ADDRINFOEXW, ai_blob, 28);
AT(ADDRINFOEXW, ai_bufferlen, 32);
AT(ADDRINFOEXW, ai_provider, 36);
AT(ADDRINFOEXW, ai_next, 40);
