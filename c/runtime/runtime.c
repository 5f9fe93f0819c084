/*
 * The C runtime compiled into every driver wsksim runs (src/cdriver): what wdm.h and wsk.h
 * promise that is not a call into the model.
 * - The freestanding memory routines clang emits calls to (memset, memcpy, memmove, memcmp), and
 *   RtlCompareMemory / RtlInitUnicodeString.
 * - The provider dispatch tables a WSK_SOCKET's Dispatch and a WSK_PROVIDER_NPI's Dispatch point
 *   at: each entry is a function of the member's own type that forwards to an import the bridge
 *   implements (src/cdriver/wsk-imports.ts), so a driver calls Dispatch->WskAccept(...) as on
 *   Windows, through a function pointer.
 * - Trampolines the bridge calls (exports named __wsksim_*): a completion routine, an event
 *   callback or a start routine is a C function pointer, which JavaScript cannot call directly;
 *   the trampoline makes the indirect call in C, where a pointer of the wrong type traps as it
 *   would crash on Windows.
 */
#include <wsk.h>

#define EXPORT(name) __attribute__((export_name(#name)))

/* ---- memory ---- */

void *memset(void *s, int c, SIZE_T n) {
  unsigned char *p = s;
  while (n--) *p++ = (unsigned char)c;
  return s;
}

void *memcpy(void *d, const void *s, SIZE_T n) {
  unsigned char *q = d;
  const unsigned char *p = s;
  while (n--) *q++ = *p++;
  return d;
}

void *memmove(void *d, const void *s, SIZE_T n) {
  unsigned char *q = d;
  const unsigned char *p = s;
  if (q < p) {
    while (n--) *q++ = *p++;
  } else {
    while (n--) q[n] = p[n];
  }
  return d;
}

int memcmp(const void *a, const void *b, SIZE_T n) {
  const unsigned char *p = a, *q = b;
  for (; n; n--, p++, q++)
    if (*p != *q) return *p - *q;
  return 0;
}

/* "RtlCompareMemory function (wdm.h)": the number of leading bytes that match. */
SIZE_T RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length) {
  const UCHAR *p = Source1, *q = Source2;
  SIZE_T i = 0;
  while (i < Length && p[i] == q[i]) i++;
  return i;
}

VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString) {
  USHORT n = 0;
  if (SourceString != NULL)
    while (SourceString[n] != 0) n++;
  DestinationString->Length = (USHORT)(n * sizeof(WCHAR));
  DestinationString->MaximumLength = (USHORT)((n + (SourceString != NULL)) * sizeof(WCHAR));
  DestinationString->Buffer = (PWSTR)SourceString;
}

/* NPI_WSK_INTERFACE_ID: the model knows it by its address (src/cdriver/bridge.ts). */
const NPIID NPI_WSK_INTERFACE_ID = {
    0x2227E803, 0x8D8B, 0x11D4, {0xAB, 0xAD, 0x00, 0x90, 0x27, 0xB6, 0xF8, 0xC2}};

EXPORT(__wsksim_npi_wsk_interface_id) const NPIID *WsksimNpiWskInterfaceId(void) {
  return &NPI_WSK_INTERFACE_ID;
}

/* ---- trampolines the bridge calls ---- */

EXPORT(__wsksim_call_completion)
NTSTATUS WsksimCallCompletion(PIO_COMPLETION_ROUTINE Routine, PDEVICE_OBJECT DeviceObject,
                              PIRP Irp, PVOID Context) {
  return Routine(DeviceObject, Irp, Context);
}

/* A cancel routine, called by IoCancelIrp with the cancel spin lock held ("DRIVER_CANCEL callback
   function (wdm.h)", https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nc-wdm-driver_cancel):
   the bridge has written Irp->Cancel and Irp->CancelIrql before the call. */
EXPORT(__wsksim_call_cancel)
VOID WsksimCallCancel(PDRIVER_CANCEL Routine, PDEVICE_OBJECT DeviceObject, PIRP Irp) {
  Routine(DeviceObject, Irp);
}

EXPORT(__wsksim_call_accept_event)
NTSTATUS WsksimCallAcceptEvent(PFN_WSK_ACCEPT_EVENT Routine, PVOID SocketContext, ULONG Flags,
                               PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress,
                               PWSK_SOCKET AcceptSocket, PVOID *AcceptSocketContext,
                               const WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch) {
  return Routine(SocketContext, Flags, LocalAddress, RemoteAddress, AcceptSocket,
                 AcceptSocketContext, AcceptSocketDispatch);
}

EXPORT(__wsksim_call_inspect_event)
WSK_INSPECT_ACTION WsksimCallInspectEvent(PFN_WSK_INSPECT_EVENT Routine, PVOID SocketContext,
                                          PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress,
                                          PWSK_INSPECT_ID InspectID) {
  return Routine(SocketContext, LocalAddress, RemoteAddress, InspectID);
}

EXPORT(__wsksim_call_abort_event)
NTSTATUS WsksimCallAbortEvent(PFN_WSK_ABORT_EVENT Routine, PVOID SocketContext,
                              PWSK_INSPECT_ID InspectID) {
  return Routine(SocketContext, InspectID);
}

EXPORT(__wsksim_call_receive_event)
NTSTATUS WsksimCallReceiveEvent(PFN_WSK_RECEIVE_EVENT Routine, PVOID SocketContext, ULONG Flags,
                                PWSK_DATA_INDICATION DataIndication, SIZE_T BytesIndicated,
                                SIZE_T *BytesAccepted) {
  return Routine(SocketContext, Flags, DataIndication, BytesIndicated, BytesAccepted);
}

EXPORT(__wsksim_call_disconnect_event)
NTSTATUS WsksimCallDisconnectEvent(PFN_WSK_DISCONNECT_EVENT Routine, PVOID SocketContext,
                                   ULONG Flags) {
  return Routine(SocketContext, Flags);
}

EXPORT(__wsksim_call_send_backlog_event)
NTSTATUS WsksimCallSendBacklogEvent(PFN_WSK_SEND_BACKLOG_EVENT Routine, PVOID SocketContext,
                                    SIZE_T IdealBacklogSize) {
  return Routine(SocketContext, IdealBacklogSize);
}

EXPORT(__wsksim_call_dpc)
VOID WsksimCallDpc(PKDEFERRED_ROUTINE Routine, PKDPC Dpc, PVOID DeferredContext,
                   PVOID SystemArgument1, PVOID SystemArgument2) {
  Routine(Dpc, DeferredContext, SystemArgument1, SystemArgument2);
}

EXPORT(__wsksim_call_work_item)
VOID WsksimCallWorkItem(PIO_WORKITEM_ROUTINE Routine, PDEVICE_OBJECT DeviceObject,
                        PVOID Context) {
  Routine(DeviceObject, Context);
}

EXPORT(__wsksim_call_start_routine)
VOID WsksimCallStartRoutine(PKSTART_ROUTINE Routine, PVOID StartContext) {
  Routine(StartContext);
}

/* A lookaside list's own Allocate and Free routines ("ExInitializeNPagedLookasideList function
   (wdm.h)", https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exinitializenpagedlookasidelist),
   called when the list has no cached entry to give, or more than it keeps. */
EXPORT(__wsksim_call_allocate)
PVOID WsksimCallAllocate(PALLOCATE_FUNCTION Routine, POOL_TYPE PoolType, SIZE_T NumberOfBytes,
                         ULONG Tag) {
  return Routine(PoolType, NumberOfBytes, Tag);
}

EXPORT(__wsksim_call_free)
VOID WsksimCallFree(PFREE_FUNCTION Routine, PVOID Buffer) {
  Routine(Buffer);
}

/* DriverObject->DriverUnload, called by the bridge when the scenario unloads the driver
   (LoadDriverOptions.unloadAt; src/cdriver/unload.ts). */
EXPORT(__wsksim_call_driver_unload)
VOID WsksimCallDriverUnload(PDRIVER_UNLOAD Routine, PDRIVER_OBJECT DriverObject) {
  Routine(DriverObject);
}
