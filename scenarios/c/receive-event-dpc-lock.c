/*
 * receive-event-dpc-lock.c: the server driver of scenarios/receive-event-dpc-lock.ts written in
 * C, as a Windows driver developer writes a log collector (syslog over TCP, port 601) with WSK
 * event callbacks. Built twice: as is, it has the bug; receive-event-dpc-lock-fixed.c builds it
 * with FIXED defined, the correct twin.
 *
 * The listening socket has WskAcceptEvent, and WskReceiveEvent and WskDisconnectEvent enabled for
 * the sockets it accepts (connection events enabled on a listener are inherited). Every
 * connection appends what it is indicated to one log, counted in bytes and lines under one spin
 * lock: the receive callback walks the WSK_DATA_INDICATION list, maps each MDL with
 * MmGetSystemAddressForMdlSafe and takes every byte (STATUS_SUCCESS). A client's FIN, a reset or
 * the NULL indication closes the connection with a close IRP allocated at accept time. The driver
 * unloads at 1 s: it closes the listener and waits until the last connection has closed.
 *
 * The bug: WskReceiveEvent takes the log's lock with KeAcquireSpinLockAtDpcLevel, right only at
 * DISPATCH_LEVEL ("KeAcquireSpinLockAtDpcLevel function (wdm.h)",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-keacquirespinlockatdpclevel),
 * but WSK calls the callback at IRQL <= DISPATCH_LEVEL ("PFN_WSK_RECEIVE_EVENT callback function
 * (wsk.h)", https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_receive_event:
 * WSK_FLAG_AT_DISPATCH_LEVEL says when it is at DISPATCH_LEVEL for certain). The verifier stops
 * the first callback at PASSIVE_LEVEL: IRQL-NOT-DISPATCH. The fixed twin takes the lock with
 * KeAcquireSpinLock, which raises to DISPATCH_LEVEL from wherever it is called.
 *
 * The driver makes the same calls, in the same order, with the same pool tag and size, as its
 * TypeScript twin, so the two give the same trace on the same seed. What it does goes to the
 * scenario through hooks (module "scenario"), which leave the trace alone.
 *
 *   npx wsksim build-driver scenarios/c/receive-event-dpc-lock.c \
 *     -o .wsksim/c/receive-event-dpc-lock.wasm
 */
#include <ntddk.h>
#include <wsk.h>

#include "wsk-sync.h"

/* The scenario's hooks: a connection accepted, an indication logged, the unload. */
#define SCENARIO(name) __attribute__((import_module("scenario"), import_name(#name)))
SCENARIO(Accepted) VOID ScenarioAccepted(VOID);
SCENARIO(Logged) VOID ScenarioLogged(_In_ ULONG Bytes, _In_ ULONG Lines);
SCENARIO(Unloaded) VOID ScenarioUnloaded(VOID);

#define CONNECTION_TAG 'LsyS' /* "SysL" in a pool dump */
/* The TypeScript twin allocates 32 bytes a connection; so does this driver (equal traces). */
#define CONNECTION_POOL_BYTES 32
#define SYSLOG_PORT 601
#define UNLOAD_AT_MS 1000
/* The listener's events, enabled after its bind. */
#define LISTENER_EVENTS (WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT)

/* One accepted connection, in pool memory from its accept to its close. */
typedef struct _CONNECTION {
  PWSK_SOCKET Socket;
  PIRP CloseIrp; /* allocated at accept time, so the close cannot fail for want of an IRP */
  BOOLEAN Closing;
} CONNECTION, *PCONNECTION;

C_ASSERT(sizeof(CONNECTION) <= CONNECTION_POOL_BYTES);

typedef struct _SERVER {
  WSK_REGISTRATION Registration;
  WSK_PROVIDER_NPI ProviderNpi;
  LIVE_CONNECTIONS Live; /* the unload waits on it until the last has closed */
  /* The log every connection appends to. */
  KSPIN_LOCK LogLock;
} SERVER;

static SERVER Server;

DRIVER_INITIALIZE DriverEntry;
static IO_COMPLETION_ROUTINE CloseComplete;

/* ---- the log, shared by every connection ---- */

/* Counts what the list indicates: every buffer's bytes, and its newlines. */
static VOID AppendToLog(_In_ PWSK_DATA_INDICATION DataIndication) {
  PWSK_DATA_INDICATION Entry;
  for (Entry = DataIndication; Entry != NULL; Entry = Entry->Next) {
    PUCHAR Bytes = MmGetSystemAddressForMdlSafe(Entry->Buffer.Mdl, LowPagePriority);
    ULONG Lines = 0;
    SIZE_T i;
    for (i = 0; i < Entry->Buffer.Length; i++)
      if (Bytes[Entry->Buffer.Offset + i] == '\n') Lines++;
    ScenarioLogged((ULONG)Entry->Buffer.Length, Lines);
  }
}

/* ---- one connection: its callbacks and its close ---- */

static NTSTATUS CloseComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  UNREFERENCED_PARAMETER(DeviceObject);
  (VOID)Irp->IoStatus.Status; /* a close always succeeds; read, as every status should be */
  IoFreeIrp(Irp);
  ExFreePoolWithTag(Context, CONNECTION_TAG);
  ConnectionsChanged(&Server.Live, -1, FALSE);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Closes once (the FIN, a reset and a NULL indication may all come). */
static NTSTATUS CloseConnection(_In_ PCONNECTION Conn) {
  const WSK_PROVIDER_BASIC_DISPATCH *Dispatch = Conn->Socket->Dispatch;
  if (Conn->Closing) return STATUS_SUCCESS;
  Conn->Closing = TRUE;
  IoSetCompletionRoutine(Conn->CloseIrp, CloseComplete, Conn, TRUE, TRUE, TRUE);
  Dispatch->WskCloseSocket(Conn->Socket, Conn->CloseIrp);
  return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI ReceiveEvent(_In_opt_ PVOID SocketContext, _In_ ULONG Flags,
                                    _In_opt_ PWSK_DATA_INDICATION DataIndication,
                                    _In_ SIZE_T BytesIndicated, _Inout_ SIZE_T *BytesAccepted) {
  PCONNECTION Conn = SocketContext;
  UNREFERENCED_PARAMETER(Flags);
  UNREFERENCED_PARAMETER(BytesIndicated);
  UNREFERENCED_PARAMETER(BytesAccepted);
  if (DataIndication == NULL) return CloseConnection(Conn); /* the socket is dead */
#ifdef FIXED
  {
    /* Any IRQL up to DISPATCH_LEVEL: KeAcquireSpinLock raises to DISPATCH_LEVEL and back. */
    KIRQL OldIrql;
    KeAcquireSpinLock(&Server.LogLock, &OldIrql);
    AppendToLog(DataIndication);
    KeReleaseSpinLock(&Server.LogLock, OldIrql);
  }
#else
  /* The bug: "callbacks run at DISPATCH_LEVEL", so the cheaper call. Not at PASSIVE_LEVEL. */
  KeAcquireSpinLockAtDpcLevel(&Server.LogLock);
  AppendToLog(DataIndication);
  KeReleaseSpinLockFromDpcLevel(&Server.LogLock);
#endif
  return STATUS_SUCCESS; /* every byte consumed */
}

static NTSTATUS WSKAPI DisconnectEvent(_In_opt_ PVOID SocketContext, _In_ ULONG Flags) {
  UNREFERENCED_PARAMETER(Flags); /* graceful (the FIN) or abortive: the connection is done */
  return CloseConnection(SocketContext);
}

static const WSK_CLIENT_CONNECTION_DISPATCH ConnectionDispatch = {ReceiveEvent, DisconnectEvent,
                                                                  NULL};

/* ---- accepting connections ---- */

static NTSTATUS WSKAPI AcceptEvent(_In_opt_ PVOID SocketContext, _In_ ULONG Flags,
                                   _In_ PSOCKADDR LocalAddress, _In_ PSOCKADDR RemoteAddress,
                                   _In_opt_ PWSK_SOCKET AcceptSocket,
                                   _Outptr_result_maybenull_ PVOID *AcceptSocketContext,
                                   _Outptr_result_maybenull_ const WSK_CLIENT_CONNECTION_DISPATCH
                                       **AcceptSocketDispatch) {
  PCONNECTION Conn;
  PIRP CloseIrp;
  UNREFERENCED_PARAMETER(SocketContext);
  UNREFERENCED_PARAMETER(Flags);
  UNREFERENCED_PARAMETER(LocalAddress);
  UNREFERENCED_PARAMETER(RemoteAddress);
  if (AcceptSocket == NULL) return STATUS_SUCCESS; /* the listener died; the unload closes it */
  Conn = ExAllocatePoolWithTag(NonPagedPool, CONNECTION_POOL_BYTES, CONNECTION_TAG);
  CloseIrp = Conn == NULL ? NULL : IoAllocateIrp(1, FALSE);
  if (Conn == NULL || CloseIrp == NULL) {
    if (Conn != NULL) ExFreePoolWithTag(Conn, CONNECTION_TAG);
    return STATUS_REQUEST_NOT_ACCEPTED; /* WSK closes the socket */
  }
  Conn->Socket = AcceptSocket;
  Conn->CloseIrp = CloseIrp;
  Conn->Closing = FALSE;
  ConnectionsChanged(&Server.Live, +1, FALSE);
  ScenarioAccepted();
  *AcceptSocketContext = Conn;
  *AcceptSocketDispatch = &ConnectionDispatch;
  return STATUS_SUCCESS;
}

static const WSK_CLIENT_LISTEN_DISPATCH ListenDispatch = {AcceptEvent, NULL, NULL};

/* ---- DriverEntry: the listener, then the unload ---- */

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  NTSTATUS Status;
  UNREFERENCED_PARAMETER(DriverObject);
  UNREFERENCED_PARAMETER(RegistryPath);

  Status = RegisterAndCapture(&Server.Registration, &Server.ProviderNpi);
  if (!NT_SUCCESS(Status)) return Status;
  ConnectionsInitialize(&Server.Live);
  KeInitializeSpinLock(&Server.LogLock);

  ListenUntilUnload(&Server.ProviderNpi, SYSLOG_PORT, &ListenDispatch, LISTENER_EVENTS, UNLOAD_AT_MS,
                    &Server.Live);
  WskReleaseProviderNPI(&Server.Registration);
  WskDeregister(&Server.Registration);
  ScenarioUnloaded();
  return STATUS_SUCCESS;
}
