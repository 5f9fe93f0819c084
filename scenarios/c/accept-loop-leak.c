/*
 * accept-loop-leak.c: the server driver of scenarios/accept-loop-leak.ts written in C, as a
 * Windows driver developer writes a discard server (RFC 863) with WSK. Built twice: as is, it
 * has the bug; accept-loop-leak-fixed.c builds it with FIXED defined, the correct twin.
 *
 * The driver keeps one WskAccept queued on a listening socket on port 9, as the listening page's
 * sample does ("Listening for and Accepting Incoming Connections",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/network/listening-for-and-accepting-incoming-connections):
 * each completion posts the next accept with a new IRP, then hands the accepted socket to a
 * connection that receives and discards until the client's FIN or a failure, and closes from a
 * work item (off the completion routine's stack). The connection takes over the accept's IRP and
 * reuses it for every request ("IoReuseIrp function (wdm.h)",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-ioreuseirp), so it
 * can always close its socket, whatever allocation fails later. The driver unloads at 1 s.
 *
 * The bug: AcceptComplete posts the next accept first, so that the next client does not wait, and
 * when IoAllocateIrp returns NULL it bails out like every other error path of the routine. But the
 * accepted socket is the driver's as soon as the accept succeeds ("PFN_WSK_ACCEPT callback
 * function (wsk.h)", https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_accept:
 * IoStatus.Information holds the accepted socket object), and nothing closes it: the verifier
 * reports WSK-SOCKET-LEAKED at the end. It shows only when that one allocation fails, which a
 * campaign's swarm or systematic strategy arranges. The fixed twin serves the accepted connection
 * whatever the re-post did: a NULL IRP only ends the accept loop.
 *
 * The driver makes the same calls, in the same order, with the same pool tag and size, as its
 * TypeScript twin, so the two give the same trace on the same seed. Like the twin, its whole life
 * is DriverEntry: it listens until the unload time, closes, waits for its connections and
 * deregisters. What it does goes to the scenario through hooks (module "scenario"), which leave
 * the trace alone.
 *
 *   npx wsksim build-driver scenarios/c/accept-loop-leak.c -o .wsksim/c/accept-loop-leak.wasm
 */
#include <ntddk.h>
#include <wsk.h>

#include "wsk-sync.h"

/* The scenario's hooks: a connection served, bytes discarded, the unload. */
#define SCENARIO(name) __attribute__((import_module("scenario"), import_name(#name)))
SCENARIO(Served) VOID ScenarioServed(VOID);
SCENARIO(Discarded) VOID ScenarioDiscarded(_In_ ULONG Bytes);
SCENARIO(Unloaded) VOID ScenarioUnloaded(VOID);

#define CONNECTION_TAG 'csiD' /* "Disc" in a pool dump */
/* The TypeScript twin allocates 96 bytes a connection; so does this driver (equal traces). */
#define CONNECTION_POOL_BYTES 96
#define DISCARD_PORT 9
#define RECEIVE_LENGTH 1024
#define UNLOAD_AT_MS 1000

/* One served connection, in pool memory from its accept to its close. */
typedef struct _CONNECTION {
  PWSK_SOCKET Socket;
  PIRP Irp; /* the accept's IRP, reused for each receive and for the close */
  PIO_WORKITEM WorkItem; /* closes the socket at PASSIVE_LEVEL, off the completion's stack */
  PMDL Mdl; /* over DiscardBuffer */
  WSK_BUF Buffer;
} CONNECTION, *PCONNECTION;

C_ASSERT(sizeof(CONNECTION) <= CONNECTION_POOL_BYTES);

typedef struct _SERVER {
  WSK_REGISTRATION Registration;
  WSK_PROVIDER_NPI ProviderNpi;
  LIVE_CONNECTIONS Live; /* the unload waits on it until the last has closed */
} SERVER;

static SERVER Server;

/* What every connection receives into: the bytes are thrown away, so they share one buffer. */
static UCHAR DiscardBuffer[RECEIVE_LENGTH];

DRIVER_INITIALIZE DriverEntry;
static IO_COMPLETION_ROUTINE AcceptComplete;
static IO_COMPLETION_ROUTINE ReceiveComplete;
static IO_COMPLETION_ROUTINE UnwantedClosed;
static IO_WORKITEM_ROUTINE CloseConnection;

/* ---- one connection: receive and discard until the FIN, then close ---- */

static VOID PostReceive(_In_ PCONNECTION Conn) {
  const WSK_PROVIDER_CONNECTION_DISPATCH *Dispatch = Conn->Socket->Dispatch;
  IoReuseIrp(Conn->Irp, STATUS_UNSUCCESSFUL);
  IoSetCompletionRoutine(Conn->Irp, ReceiveComplete, Conn, TRUE, TRUE, TRUE);
  Conn->Buffer.Mdl = Conn->Mdl;
  Conn->Buffer.Offset = 0;
  Conn->Buffer.Length = RECEIVE_LENGTH;
  Dispatch->WskReceive(Conn->Socket, &Conn->Buffer, 0, Conn->Irp);
}

static NTSTATUS ReceiveComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  PCONNECTION Conn = Context;
  NTSTATUS Status = Irp->IoStatus.Status;
  ULONG_PTR Information = Irp->IoStatus.Information;
  UNREFERENCED_PARAMETER(DeviceObject);
  if (NT_SUCCESS(Status) && Information > 0) {
    ScenarioDiscarded((ULONG)Information);
    PostReceive(Conn);
  } else {
    /* The FIN (0 bytes) or a failure: close from a work item. */
    IoQueueWorkItem(Conn->WorkItem, CloseConnection, DelayedWorkQueue, Conn);
  }
  return STATUS_MORE_PROCESSING_REQUIRED;
}

static VOID CloseConnection(PDEVICE_OBJECT DeviceObject, PVOID Context) {
  PCONNECTION Conn = Context;
  PMDL Mdl = Conn->Mdl;
  PIO_WORKITEM WorkItem = Conn->WorkItem;
  UNREFERENCED_PARAMETER(DeviceObject);
  CloseSocket(Conn->Socket, Conn->Irp);
  IoFreeMdl(Mdl);
  IoFreeWorkItem(WorkItem);
  ExFreePoolWithTag(Conn, CONNECTION_TAG);
  ConnectionsChanged(&Server.Live, -1, FALSE);
}

static NTSTATUS UnwantedClosed(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  UNREFERENCED_PARAMETER(DeviceObject);
  UNREFERENCED_PARAMETER(Context);
  (VOID)Irp->IoStatus.Status; /* a close always succeeds */
  IoFreeIrp(Irp);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* A connection that could not be set up: closed at once with the accept's IRP. */
static VOID CloseUnwanted(_In_ PWSK_SOCKET Socket, _In_ PIRP Irp) {
  const WSK_PROVIDER_BASIC_DISPATCH *Dispatch = Socket->Dispatch;
  IoReuseIrp(Irp, STATUS_UNSUCCESSFUL);
  IoSetCompletionRoutine(Irp, UnwantedClosed, NULL, TRUE, TRUE, TRUE);
  Dispatch->WskCloseSocket(Socket, Irp);
}

static VOID StartConnection(_In_ PWSK_SOCKET Socket, _In_ PIRP Irp) {
  PCONNECTION Conn = ExAllocatePoolWithTag(NonPagedPool, CONNECTION_POOL_BYTES, CONNECTION_TAG);
  PIO_WORKITEM WorkItem = Conn == NULL ? NULL : IoAllocateWorkItem(NULL);
  PMDL Mdl =
      WorkItem == NULL ? NULL : IoAllocateMdl(DiscardBuffer, RECEIVE_LENGTH, FALSE, FALSE, NULL);
  if (Conn == NULL || WorkItem == NULL || Mdl == NULL) {
    if (WorkItem != NULL) IoFreeWorkItem(WorkItem);
    if (Conn != NULL) ExFreePoolWithTag(Conn, CONNECTION_TAG);
    CloseUnwanted(Socket, Irp);
    return;
  }
  Conn->Socket = Socket;
  Conn->Irp = Irp;
  Conn->WorkItem = WorkItem;
  Conn->Mdl = Mdl;
  ConnectionsChanged(&Server.Live, +1, FALSE);
  ScenarioServed();
  PostReceive(Conn);
}

/* ---- the accept loop ---- */

static NTSTATUS AcceptConnection(_In_ PWSK_SOCKET Listener, _In_ PIRP Irp) {
  const WSK_PROVIDER_LISTEN_DISPATCH *Dispatch = Listener->Dispatch;
  IoSetCompletionRoutine(Irp, AcceptComplete, Listener, TRUE, TRUE, TRUE);
  return Dispatch->WskAccept(Listener, 0, NULL, NULL, NULL, NULL, Irp);
}

static NTSTATUS AcceptComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  PWSK_SOCKET Listener = Context;
  PWSK_SOCKET AcceptSocket;
  PIRP NextIrp;
  UNREFERENCED_PARAMETER(DeviceObject);
  if (Irp->IoStatus.Status != STATUS_SUCCESS) {
    /* The listener closed (STATUS_CANCELLED) or died: the loop ends. */
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
  }
  AcceptSocket = (PWSK_SOCKET)Irp->IoStatus.Information;
  /* Keep the listener fed first, so that the next client does not wait behind this one. */
  NextIrp = IoAllocateIrp(1, FALSE);
#ifndef FIXED
  if (NextIrp == NULL) {
    /* Out of IRPs: give up, as on any failure. The bug: AcceptSocket is the driver's already,
       and nothing will ever close it. */
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
  }
#endif
  /* The fixed driver: no IRP only ends the accept loop; this connection is served all the same. */
  if (NextIrp != NULL) AcceptConnection(Listener, NextIrp);
  StartConnection(AcceptSocket, Irp);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* ---- DriverEntry: the listener and its first WskAccept, then the unload ---- */

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  PIRP CloseIrp, FirstAcceptIrp;
  PWSK_SOCKET Listener = NULL;
  NTSTATUS Status;
  UNREFERENCED_PARAMETER(DriverObject);
  UNREFERENCED_PARAMETER(RegistryPath);

  Status = RegisterAndCapture(&Server.Registration, &Server.ProviderNpi);
  if (!NT_SUCCESS(Status)) return Status;
  ConnectionsInitialize(&Server.Live);

  /* Both IRPs first: the listener's close must not fail for want of one. */
  CloseIrp = IoAllocateIrp(1, FALSE);
  FirstAcceptIrp = IoAllocateIrp(1, FALSE);
  if (CloseIrp == NULL || FirstAcceptIrp == NULL) {
    if (CloseIrp != NULL) IoFreeIrp(CloseIrp);
    if (FirstAcceptIrp != NULL) IoFreeIrp(FirstAcceptIrp);
  } else {
    /* A listening socket bound to 0.0.0.0:9, no event callbacks. */
    Listener = OpenListener(&Server.ProviderNpi, DISCARD_PORT, NULL, 0, CloseIrp);
    if (Listener == NULL)
      IoFreeIrp(FirstAcceptIrp); /* OpenListener freed CloseIrp */
    else
      AcceptConnection(Listener, FirstAcceptIrp);
  }

  /* The unload. */
  if (Listener != NULL) {
    /* The close completes the queued accept (STATUS_CANCELLED) before itself. */
    UnloadListener(Listener, CloseIrp, UNLOAD_AT_MS, &Server.Live);
  }
  WskReleaseProviderNPI(&Server.Registration);
  WskDeregister(&Server.Registration);
  ScenarioUnloaded();
  return STATUS_SUCCESS;
}
