/*
 * receive-callback-race.c: the server driver of scenarios/receive-callback-race.ts written in C,
 * as a Windows driver developer writes an upload server with WSK event callbacks and one
 * WskReceive for the rest of each upload. Built twice: as is, it has the bug;
 * receive-callback-race-fixed.c builds it with FIXED defined, the correct twin.
 *
 * The driver takes uploads on port 8000: each is a 2-byte big-endian length and that many bytes.
 * Its accepted sockets have WskReceiveEvent and WskDisconnectEvent (inherited from the listener).
 * The receive callback copies what the WSK_DATA_INDICATION list holds into the upload's buffer;
 * when the upload is not complete, the connection's work item posts one WskReceive
 * (WSK_FLAG_WAITALL) for the rest, straight into the buffer, with the connection's one receive
 * IRP, and its completion finishes the upload. The work item also closes the connection when the
 * client's FIN, a reset or a failed receive ends it. The driver unloads at 1 s.
 *
 * The bug: the callback takes every indication as the start of new data, trusting that a queued
 * receive gets the data first. WSK may call it with data while a WskReceive is pending
 * ("PFN_WSK_RECEIVE_EVENT callback function (wsk.h)",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_receive_event);
 * then the work item reuses the IRP the pending receive still holds: IRP-REUSED-WHILE-PENDING.
 * The fixed twin answers such an indication with STATUS_DATA_NOT_ACCEPTED: the data stays with
 * the transport and the queued WskReceive takes it.
 *
 * The driver makes the same calls, in the same order, with the same pool tag and size, as its
 * TypeScript twin, so the two give the same trace on the same seed. The twin's upload buffer is a
 * JavaScript array, outside the pool; so is this driver's, a slot of a static table. What it does
 * goes to the scenario through hooks (module "scenario"), which leave the trace alone.
 *
 *   npx wsksim build-driver scenarios/c/receive-callback-race.c \
 *     -o .wsksim/c/receive-callback-race.wasm
 */
#include <ntddk.h>
#include <wsk.h>

#include "wsk-sync.h"

/* The scenario's hooks: an upload received whole (its bytes), the unload. */
#define SCENARIO(name) __attribute__((import_module("scenario"), import_name(#name)))
SCENARIO(Uploaded) VOID ScenarioUploaded(_In_ PUCHAR Body, _In_ ULONG Length);
SCENARIO(Unloaded) VOID ScenarioUnloaded(VOID);

#define CONNECTION_TAG 'dlpU' /* "Upld" in a pool dump */
/* The TypeScript twin allocates 128 bytes a connection; so does this driver (equal traces). */
#define CONNECTION_POOL_BYTES 128
#define UPLOAD_PORT 8000
/* The largest upload the 2-byte length allows: the size of each connection's buffer. */
#define MAX_UPLOAD 0xffff
/* Upload buffers for this many connections at once: the scenario's two clients (a third
   connection would be refused as when an allocation fails; the static data must fit in the
   module's initial memory, 256 KiB). */
#define BODY_SLOTS 2
#define UNLOAD_AT_MS 1000
/* The listener's events, enabled after its bind. */
#define LISTENER_EVENTS (WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT)

/* One connection, in pool memory from its accept to its close. */
typedef struct _CONNECTION {
  PWSK_SOCKET Socket;
  PIRP Irp;      /* the one receive IRP, for the rest of an upload's bytes */
  PIRP CloseIrp; /* allocated at accept time, so the close cannot fail for want of an IRP */
  PIO_WORKITEM WorkItem; /* posts the receive, or closes: queued at most once at a time */
  BOOLEAN WorkQueued;
  /* The upload being received: its length's bytes, its length, its buffer and what it holds. */
  UCHAR Header[2];
  ULONG HeaderHave;
  ULONG Expected;
  PUCHAR Body;
  PMDL BodyMdl;
  ULONG Have;
  BOOLEAN ReceivePosted; /* a WskReceive for the rest of the upload is queued */
  BOOLEAN Closing;
  WSK_BUF Buffer;        /* the queued receive's */
} CONNECTION, *PCONNECTION;

C_ASSERT(sizeof(CONNECTION) <= CONNECTION_POOL_BYTES);

typedef struct _SERVER {
  WSK_REGISTRATION Registration;
  WSK_PROVIDER_NPI ProviderNpi;
  LIVE_CONNECTIONS Live; /* the unload waits on it until the last has closed */
} SERVER;

static SERVER Server;

/* The upload buffers, outside the pool as the twin's are; a slot is taken at accept time. */
static UCHAR Bodies[BODY_SLOTS][MAX_UPLOAD];
static BOOLEAN BodyTaken[BODY_SLOTS];

DRIVER_INITIALIZE DriverEntry;
static IO_COMPLETION_ROUTINE ReceiveComplete;
static IO_WORKITEM_ROUTINE ConnectionWorker;

/* ---- an upload ---- */

static BOOLEAN UploadUnfinished(_In_ PCONNECTION Conn) {
  return Conn->HeaderHave == 2 && Conn->Have < Conn->Expected;
}

static VOID UploadDone(_Inout_ PCONNECTION Conn) {
  ScenarioUploaded(Conn->Body, Conn->Expected);
  Conn->HeaderHave = 0;
  Conn->Expected = 0;
  Conn->Have = 0;
}

/* Copies indicated bytes into the upload: its length first, then its body. */
static VOID Consume(_Inout_ PCONNECTION Conn, _In_reads_(Length) const UCHAR *Bytes,
                    _In_ SIZE_T Length) {
  SIZE_T Offset = 0;
  while (Offset < Length) {
    SIZE_T Take;
    if (Conn->HeaderHave < 2) {
      Conn->Header[Conn->HeaderHave++] = Bytes[Offset++];
      if (Conn->HeaderHave == 2) Conn->Expected = Conn->Header[0] * 256 + Conn->Header[1];
      continue;
    }
    Take = Conn->Expected - Conn->Have;
    if (Take > Length - Offset) Take = Length - Offset;
    RtlCopyMemory(Conn->Body + Conn->Have, Bytes + Offset, Take);
    Conn->Have += (ULONG)Take;
    Offset += Take;
    if (Conn->Have == Conn->Expected) UploadDone(Conn);
  }
}

/* ---- the work item: the receive for the rest of an upload, or the close ---- */

static VOID QueueWork(_Inout_ PCONNECTION Conn) {
  if (Conn->WorkQueued) return;
  Conn->WorkQueued = TRUE;
  IoQueueWorkItem(Conn->WorkItem, ConnectionWorker, DelayedWorkQueue, Conn);
}

/* Once, from any path that ends the connection (the FIN, a reset, a NULL indication). */
static NTSTATUS StartClose(_Inout_ PCONNECTION Conn) {
  if (!Conn->Closing) {
    Conn->Closing = TRUE;
    QueueWork(Conn);
  }
  return STATUS_SUCCESS;
}

static NTSTATUS ReceiveComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  PCONNECTION Conn = Context;
  NTSTATUS Status = Irp->IoStatus.Status;
  ULONG_PTR Information = Irp->IoStatus.Information;
  UNREFERENCED_PARAMETER(DeviceObject);
  Conn->ReceivePosted = FALSE;
  if (!NT_SUCCESS(Status) || Information != Conn->Expected - Conn->Have) {
    StartClose(Conn); /* the FIN before the upload's end, a reset, or the close cancelled it */
  } else {
    Conn->Have += (ULONG)Information;
    UploadDone(Conn);
  }
  return STATUS_MORE_PROCESSING_REQUIRED;
}

static VOID PostReceive(_Inout_ PCONNECTION Conn) {
  const WSK_PROVIDER_CONNECTION_DISPATCH *Dispatch = Conn->Socket->Dispatch;
  IoReuseIrp(Conn->Irp, STATUS_UNSUCCESSFUL);
  IoSetCompletionRoutine(Conn->Irp, ReceiveComplete, Conn, TRUE, TRUE, TRUE);
  Conn->ReceivePosted = TRUE;
  Conn->Buffer.Mdl = Conn->BodyMdl;
  Conn->Buffer.Offset = Conn->Have;
  Conn->Buffer.Length = Conn->Expected - Conn->Have;
  Dispatch->WskReceive(Conn->Socket, &Conn->Buffer, WSK_FLAG_WAITALL, Conn->Irp);
}

static VOID FreeBody(_In_ PUCHAR Body) {
  BodyTaken[(Body - Bodies[0]) / MAX_UPLOAD] = FALSE;
}

static VOID CloseConnection(_In_ PCONNECTION Conn) {
  PIRP Irp = Conn->Irp;
  PMDL BodyMdl = Conn->BodyMdl;
  PIO_WORKITEM WorkItem = Conn->WorkItem;
  PUCHAR Body = Conn->Body;
  CloseSocket(Conn->Socket, Conn->CloseIrp); /* completes a queued receive first */
  IoFreeIrp(Irp);
  IoFreeMdl(BodyMdl);
  IoFreeWorkItem(WorkItem);
  ExFreePoolWithTag(Conn, CONNECTION_TAG);
  FreeBody(Body);
  ConnectionsChanged(&Server.Live, -1, FALSE);
}

static VOID ConnectionWorker(PDEVICE_OBJECT DeviceObject, PVOID Context) {
  PCONNECTION Conn = Context;
  UNREFERENCED_PARAMETER(DeviceObject);
  Conn->WorkQueued = FALSE;
  if (Conn->Closing) {
    CloseConnection(Conn);
    return;
  }
  if (UploadUnfinished(Conn)) PostReceive(Conn);
}

/* ---- the receive side: the callback, then a WskReceive for the rest ---- */

static NTSTATUS WSKAPI ReceiveEvent(_In_opt_ PVOID SocketContext, _In_ ULONG Flags,
                                    _In_opt_ PWSK_DATA_INDICATION DataIndication,
                                    _In_ SIZE_T BytesIndicated, _Inout_ SIZE_T *BytesAccepted) {
  PCONNECTION Conn = SocketContext;
  PWSK_DATA_INDICATION Entry;
  UNREFERENCED_PARAMETER(Flags);
  UNREFERENCED_PARAMETER(BytesIndicated);
  UNREFERENCED_PARAMETER(BytesAccepted);
  if (DataIndication == NULL) return StartClose(Conn); /* the socket is dead */
  if (Conn->Closing) return STATUS_SUCCESS;            /* discarded */
#ifdef FIXED
  /* Called although our WskReceive is queued (the race the page allows): the data stays with
     the transport, and the queued receive takes it next. */
  if (Conn->ReceivePosted) return STATUS_DATA_NOT_ACCEPTED;
#endif
  /* The bug's assumption: no receive is queued, so this data starts where we left off. */
  for (Entry = DataIndication; Entry != NULL; Entry = Entry->Next) {
    PUCHAR Bytes = MmGetSystemAddressForMdlSafe(Entry->Buffer.Mdl, LowPagePriority);
    Consume(Conn, Bytes + Entry->Buffer.Offset, Entry->Buffer.Length);
  }
  if (UploadUnfinished(Conn)) QueueWork(Conn); /* the rest comes through a WskReceive */
  return STATUS_SUCCESS;                       /* every byte consumed */
}

static NTSTATUS WSKAPI DisconnectEvent(_In_opt_ PVOID SocketContext, _In_ ULONG Flags) {
  UNREFERENCED_PARAMETER(Flags);
  return StartClose(SocketContext);
}

static const WSK_CLIENT_CONNECTION_DISPATCH ConnectionDispatch = {ReceiveEvent, DisconnectEvent,
                                                                  NULL};

/* ---- accepting connections ---- */

/* A free upload buffer, or NULL. */
static PUCHAR TakeBody(VOID) {
  ULONG i;
  for (i = 0; i < BODY_SLOTS; i++) {
    if (!BodyTaken[i]) {
      BodyTaken[i] = TRUE;
      return Bodies[i];
    }
  }
  return NULL;
}

/* The connection's context, IRPs, work item and buffer's MDL, or NULL (nothing left). */
static PCONNECTION NewConnection(_In_ PWSK_SOCKET Socket) {
  PCONNECTION Conn = ExAllocatePoolWithTag(NonPagedPool, CONNECTION_POOL_BYTES, CONNECTION_TAG);
  PIRP Irp = Conn == NULL ? NULL : IoAllocateIrp(1, FALSE);
  PIRP CloseIrp = Irp == NULL ? NULL : IoAllocateIrp(1, FALSE);
  PIO_WORKITEM WorkItem = CloseIrp == NULL ? NULL : IoAllocateWorkItem(NULL);
  PUCHAR Body = WorkItem == NULL ? NULL : TakeBody();
  PMDL BodyMdl = Body == NULL ? NULL : IoAllocateMdl(Body, MAX_UPLOAD, FALSE, FALSE, NULL);
  if (BodyMdl == NULL) {
    if (Body != NULL) FreeBody(Body);
    if (WorkItem != NULL) IoFreeWorkItem(WorkItem);
    if (CloseIrp != NULL) IoFreeIrp(CloseIrp);
    if (Irp != NULL) IoFreeIrp(Irp);
    if (Conn != NULL) ExFreePoolWithTag(Conn, CONNECTION_TAG);
    return NULL;
  }
  RtlZeroMemory(Conn, sizeof(*Conn));
  Conn->Socket = Socket;
  Conn->Irp = Irp;
  Conn->CloseIrp = CloseIrp;
  Conn->WorkItem = WorkItem;
  Conn->Body = Body;
  Conn->BodyMdl = BodyMdl;
  return Conn;
}

static NTSTATUS WSKAPI AcceptEvent(_In_opt_ PVOID SocketContext, _In_ ULONG Flags,
                                   _In_ PSOCKADDR LocalAddress, _In_ PSOCKADDR RemoteAddress,
                                   _In_opt_ PWSK_SOCKET AcceptSocket,
                                   _Outptr_result_maybenull_ PVOID *AcceptSocketContext,
                                   _Outptr_result_maybenull_ const WSK_CLIENT_CONNECTION_DISPATCH
                                       **AcceptSocketDispatch) {
  PCONNECTION Conn;
  UNREFERENCED_PARAMETER(SocketContext);
  UNREFERENCED_PARAMETER(Flags);
  UNREFERENCED_PARAMETER(LocalAddress);
  UNREFERENCED_PARAMETER(RemoteAddress);
  if (AcceptSocket == NULL) return STATUS_SUCCESS; /* the listener died; the unload closes it */
  Conn = NewConnection(AcceptSocket);
  if (Conn == NULL) return STATUS_REQUEST_NOT_ACCEPTED; /* WSK closes the socket */
  ConnectionsChanged(&Server.Live, +1, FALSE);
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

  ListenUntilUnload(&Server.ProviderNpi, UPLOAD_PORT, &ListenDispatch, LISTENER_EVENTS, UNLOAD_AT_MS,
                    &Server.Live);
  WskReleaseProviderNPI(&Server.Registration);
  WskDeregister(&Server.Registration);
  ScenarioUnloaded();
  return STATUS_SUCCESS;
}
