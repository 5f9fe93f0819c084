/*
 * inspect-abort-race.c: the server driver of scenarios/inspect-abort-race.ts written in C, as a
 * Windows driver developer writes a conditional-accept server with WSK. Built twice: as is, it
 * has the bug; inspect-abort-race-fixed.c builds it with FIXED defined, the correct twin.
 *
 * The listening socket has SO_CONDITIONAL_ACCEPT ("SO_CONDITIONAL_ACCEPT socket option",
 * https://learn.microsoft.com/en-us/windows/win32/winsock/so-conditional-accept), so every
 * connection request arrives in WskInspectEvent ("PFN_WSK_INSPECT_EVENT callback function
 * (wsk.h)", https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_inspect_event).
 * The driver pends each one, keeps a record of it in pool memory, and decides later: a timer's
 * DPC queues a work item, and the work item accepts the request with WskInspectComplete
 * ("PFN_WSK_INSPECT_COMPLETE callback function (wsk.h)",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_inspect_complete).
 * How long the decision takes is the simulation's choice ('decision delay ms', 0 to 40 s): the
 * answer of the policy a real driver would ask (a user-mode service, a rule table).
 *
 * The bug: WskAbortEvent ("PFN_WSK_ABORT_EVENT callback function (wsk.h)",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_abort_event)
 * frees the request's record, as "the application should forget the inspection" invites, while
 * the timer's DPC and the work item still hold a pointer to it. When a decision comes after the
 * pend's lifetime (30 s), the abort runs first and the DPC reads the freed record: a use after
 * free of pool memory, which the pool's shadow map reports at the access's line
 * (POOL-USE-AFTER-FREE). The fixed twin's WskAbortEvent only marks the record; the work item,
 * the last to hold it, frees it and skips WskInspectComplete for an aborted request.
 *
 * The driver makes the same calls, in the same order, with the same pool tag, as its TypeScript
 * twin, so the two give the same trace on the same seed but for one field: the record holds its
 * KTIMER and KDPC, so it is 96 bytes on wasm32 where the twin allocates 64. Like the twin, its
 * whole life is DriverEntry: it serves until every request is decided, then closes and
 * deregisters. What it does goes to the scenario through hooks (module "scenario", which leave
 * the trace alone); the decision's delay comes from one.
 *
 *   npx wsksim build-driver scenarios/c/inspect-abort-race.c -o .wsksim/c/inspect-abort-race.wasm
 */
#include <ntddk.h>
#include <wsk.h>

#include "wsk-sync.h"

/* The scenario's hooks. DecisionDelayMs is the decision's delay in milliseconds, the
   simulation's choice 'decision delay ms' between 0 and MaxDelayMs (on Windows, the policy's
   answer); the others say what the driver did: each request's outcome, a call that failed, the
   unload. */
#define SCENARIO(name) __attribute__((import_module("scenario"), import_name(#name)))
SCENARIO(DecisionDelayMs) ULONG ScenarioDecisionDelayMs(_In_ ULONG MaxDelayMs);
SCENARIO(Outcome) VOID ScenarioOutcome(_In_z_ PCSTR What);
SCENARIO(Error) VOID ScenarioError(_In_z_ PCSTR What, _In_ NTSTATUS Status);
SCENARIO(Unloaded) VOID ScenarioUnloaded(VOID);

#define RECORD_TAG 'psnI' /* "Insp" in a pool dump */
/* The clients the scenario starts: once each request is accepted or aborted, the driver unloads. */
#define CLIENT_COUNT 4
#define MAX_DELAY_MS 40000
#define LISTEN_PORT 80
/* How long DriverEntry waits for every request to be decided: 60 s, past the longest decision. */
#define DECIDED_TIMEOUT (-600000000LL)
/* A close that finds no IRP tries again 10 ms later, up to 100 times. */
#define CLOSE_TRIES 100
#define CLOSE_RETRY_MS 10

/* One pended connection request, in pool memory from WskInspectEvent until its decision. */
typedef struct _INSPECT_RECORD {
  LIST_ENTRY Link; /* in Server.Records, under Server.RecordLock */
  WSK_INSPECT_ID Id; /* a copy: the ID is valid during WskInspectEvent only */
  KTIMER Timer;
  KDPC Dpc;
  PIO_WORKITEM WorkItem;
  BOOLEAN Aborted; /* set by WskAbortEvent in the fixed driver */
} INSPECT_RECORD, *PINSPECT_RECORD;

typedef struct _SERVER {
  WSK_REGISTRATION Registration;
  WSK_PROVIDER_NPI ProviderNpi;
  PWSK_SOCKET ListenSocket;
  KSPIN_LOCK RecordLock;
  LIST_ENTRY Records;
  KEVENT AllDecided;
  /* The accepted sockets, kept until the unload (a static table rather than pool, as the
     TypeScript twin keeps them in an array: its trace has no pool allocation to match). */
  PWSK_SOCKET Accepted[CLIENT_COUNT];
  ULONG AcceptedCount;
  /* Requests accepted or aborted so far. */
  ULONG Decided;
} SERVER;

static SERVER Server;

DRIVER_INITIALIZE DriverEntry;
static IO_COMPLETION_ROUTINE InspectCompleted;
static KDEFERRED_ROUTINE DecisionDpc;
static IO_WORKITEM_ROUTINE DecideWorkItem;

/* ---- the requests' records ---- */

/* Notes a request's outcome ("accepted" or "aborted"; NULL when a work item is done). Every
   request decided and every work item done: the unload may go on. */
static VOID NoteOutcome(_In_opt_ PCSTR Outcome) {
  if (Outcome != NULL) {
    Server.Decided++;
    ScenarioOutcome(Outcome);
  }
  if (Server.Decided == CLIENT_COUNT && IsListEmpty(&Server.Records))
    KeSetEvent(&Server.AllDecided, IO_NO_INCREMENT, FALSE);
}

/* The listed record of a request; compares the IDs' contents, never their addresses (the listening
   page's WskAbortEvent). Called with RecordLock held. */
static PINSPECT_RECORD FindRecord(_In_ PWSK_INSPECT_ID InspectID) {
  PLIST_ENTRY Entry;
  for (Entry = Server.Records.Flink; Entry != &Server.Records; Entry = Entry->Flink) {
    PINSPECT_RECORD Record = CONTAINING_RECORD(Entry, INSPECT_RECORD, Link);
    if (Record->Id.Key == InspectID->Key && Record->Id.SerialNumber == InspectID->SerialNumber)
      return Record;
  }
  return NULL;
}

/* Takes Record off the list if it is still there (WskAbortEvent may have taken it off); looks at
   the list's entries only, never at Record. Called with RecordLock held. */
static VOID UnlistRecord(_In_ PINSPECT_RECORD Record) {
  PLIST_ENTRY Entry;
  for (Entry = Server.Records.Flink; Entry != &Server.Records; Entry = Entry->Flink) {
    if (Entry == &Record->Link) {
      RemoveEntryList(Entry);
      return;
    }
  }
}

static NTSTATUS InspectCompleted(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  UNREFERENCED_PARAMETER(DeviceObject);
  UNREFERENCED_PARAMETER(Context);
  IoFreeIrp(Irp);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* The work item: decides the request (always accept, here) and frees its record. */
static VOID DecideWorkItem(PDEVICE_OBJECT DeviceObject, PVOID Context) {
  PINSPECT_RECORD Record = Context;
  KIRQL OldIrql;
  BOOLEAN Aborted;
  PIRP Irp;
  UNREFERENCED_PARAMETER(DeviceObject);

  KeAcquireSpinLock(&Server.RecordLock, &OldIrql);
#ifdef FIXED
  Aborted = Record->Aborted;
#else
  Aborted = FALSE;
#endif
  UnlistRecord(Record);
  KeReleaseSpinLock(&Server.RecordLock, OldIrql);
  if (!Aborted) {
    Irp = IoAllocateIrp(1, FALSE);
    if (Irp != NULL && Server.ListenSocket != NULL) {
      const WSK_PROVIDER_LISTEN_DISPATCH *Dispatch = Server.ListenSocket->Dispatch;
      IoSetCompletionRoutine(Irp, InspectCompleted, NULL, TRUE, TRUE, TRUE);
      /* Reads the record: freed already if WskAbortEvent came first (the bug). */
      Dispatch->WskInspectComplete(Server.ListenSocket, &Record->Id, WskInspectAccept, Irp);
    }
  }
  IoFreeWorkItem(Record->WorkItem);
  ExFreePoolWithTag(Record, RECORD_TAG);
  NoteOutcome(NULL);
}

static VOID DecisionDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1,
                        PVOID SystemArgument2) {
  PINSPECT_RECORD Record = DeferredContext;
  UNREFERENCED_PARAMETER(Dpc);
  UNREFERENCED_PARAMETER(SystemArgument1);
  UNREFERENCED_PARAMETER(SystemArgument2);
  /* Reads the record: freed already if WskAbortEvent came first (the bug). */
  IoQueueWorkItem(Record->WorkItem, DecideWorkItem, DelayedWorkQueue, Record);
}

/* ---- the listening socket's event callbacks ---- */

static WSK_INSPECT_ACTION WSKAPI InspectEvent(PVOID SocketContext, PSOCKADDR LocalAddress,
                                              PSOCKADDR RemoteAddress,
                                              PWSK_INSPECT_ID InspectID) {
  PINSPECT_RECORD Record;
  PIO_WORKITEM WorkItem;
  KIRQL OldIrql;
  LARGE_INTEGER DueTime;
  UNREFERENCED_PARAMETER(SocketContext);
  UNREFERENCED_PARAMETER(LocalAddress);
  UNREFERENCED_PARAMETER(RemoteAddress);

  if (InspectID == NULL) return WskInspectReject; /* the listening socket is dead */
  Record = ExAllocatePoolWithTag(NonPagedPool, sizeof(INSPECT_RECORD), RECORD_TAG);
  if (Record == NULL) return WskInspectReject;
  WorkItem = IoAllocateWorkItem(NULL);
  if (WorkItem == NULL) {
    ExFreePoolWithTag(Record, RECORD_TAG);
    return WskInspectReject;
  }
  Record->Id = *InspectID;
  Record->WorkItem = WorkItem;
  Record->Aborted = FALSE;
  KeInitializeTimer(&Record->Timer);
  KeInitializeDpc(&Record->Dpc, DecisionDpc, Record);
  KeAcquireSpinLock(&Server.RecordLock, &OldIrql);
  InsertTailList(&Server.Records, &Record->Link);
  KeReleaseSpinLock(&Server.RecordLock, OldIrql);
  DueTime.QuadPart = -(LONGLONG)ScenarioDecisionDelayMs(MAX_DELAY_MS) * 10000;
  KeSetTimer(&Record->Timer, DueTime, &Record->Dpc);
  return WskInspectPend;
}

static NTSTATUS WSKAPI AbortEvent(PVOID SocketContext, PWSK_INSPECT_ID InspectID) {
  PINSPECT_RECORD Record;
  KIRQL OldIrql;
  UNREFERENCED_PARAMETER(SocketContext);

  KeAcquireSpinLock(&Server.RecordLock, &OldIrql);
  Record = FindRecord(InspectID);
#ifdef FIXED
  /* The timer and the work item still hold the record: mark it, the work item frees it. */
  if (Record != NULL) Record->Aborted = TRUE;
#else
  /* Forget the inspection: off the list and freed. The DPC and the work item still hold it. */
  if (Record != NULL) {
    RemoveEntryList(&Record->Link);
    ExFreePoolWithTag(Record, RECORD_TAG);
  }
#endif
  KeReleaseSpinLock(&Server.RecordLock, OldIrql);
  NoteOutcome("aborted");
  return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI QuietReceiveEvent(PVOID SocketContext, ULONG Flags,
                                         PWSK_DATA_INDICATION DataIndication,
                                         SIZE_T BytesIndicated, SIZE_T *BytesAccepted) {
  UNREFERENCED_PARAMETER(SocketContext);
  UNREFERENCED_PARAMETER(Flags);
  UNREFERENCED_PARAMETER(DataIndication);
  UNREFERENCED_PARAMETER(BytesIndicated);
  UNREFERENCED_PARAMETER(BytesAccepted);
  return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI QuietDisconnectEvent(PVOID SocketContext, ULONG Flags) {
  UNREFERENCED_PARAMETER(SocketContext);
  UNREFERENCED_PARAMETER(Flags);
  return STATUS_SUCCESS;
}

static NTSTATUS WSKAPI QuietSendBacklogEvent(PVOID SocketContext, SIZE_T IdealBacklogSize) {
  UNREFERENCED_PARAMETER(SocketContext);
  UNREFERENCED_PARAMETER(IdealBacklogSize);
  return STATUS_SUCCESS;
}

/* The accepted sockets' callbacks: they take what they are told and nothing more. */
static const WSK_CLIENT_CONNECTION_DISPATCH QuietConnectionDispatch = {
    QuietReceiveEvent, QuietDisconnectEvent, QuietSendBacklogEvent};

static NTSTATUS WSKAPI AcceptEvent(PVOID SocketContext, ULONG Flags, PSOCKADDR LocalAddress,
                                   PSOCKADDR RemoteAddress, PWSK_SOCKET AcceptSocket,
                                   PVOID *AcceptSocketContext,
                                   const WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch) {
  UNREFERENCED_PARAMETER(SocketContext);
  UNREFERENCED_PARAMETER(Flags);
  UNREFERENCED_PARAMETER(LocalAddress);
  UNREFERENCED_PARAMETER(RemoteAddress);
  if (AcceptSocket == NULL) return STATUS_SUCCESS;
  if (Server.AcceptedCount < CLIENT_COUNT) Server.Accepted[Server.AcceptedCount++] = AcceptSocket;
  *AcceptSocketContext = NULL;
  *AcceptSocketDispatch = &QuietConnectionDispatch;
  NoteOutcome("accepted");
  return STATUS_SUCCESS;
}

static const WSK_CLIENT_LISTEN_DISPATCH ListenDispatch = {AcceptEvent, InspectEvent, AbortEvent};

/* ---- DriverEntry: a conditional listening socket on port 80, then the unload ---- */

/* WskSocket, SO_CONDITIONAL_ACCEPT before WskBind to 0.0.0.0:80, then WSK_EVENT_ACCEPT enabled;
   NULL when a step failed (told to the scenario; a socket made is closed again). */
static PWSK_SOCKET ConditionalListener(VOID) {
  const WSK_PROVIDER_DISPATCH *Dispatch = Server.ProviderNpi.Dispatch;
  const WSK_PROVIDER_LISTEN_DISPATCH *Listen;
  PWSK_SOCKET Socket;
  SYNC_CALL Call;
  NTSTATUS Status;
  ULONG_PTR Information = 0;
  ULONG Conditional = 1;
  SOCKADDR_IN LocalAddress = {0};
  WSK_EVENT_CALLBACK_CONTROL Control;

  Status = STATUS_INSUFFICIENT_RESOURCES;
  if (SyncCallBegin(&Call, NULL)) {
    Status = Dispatch->WskSocket(Server.ProviderNpi.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                 WSK_FLAG_LISTEN_SOCKET, NULL, &ListenDispatch, NULL, NULL, NULL,
                                 Call.Irp);
    Status = SyncCallEnd(&Call, Status, &Information);
  }
  if (Status != STATUS_SUCCESS) {
    ScenarioError("server: listening socket", Status);
    return NULL;
  }
  Socket = (PWSK_SOCKET)Information;
  Listen = Socket->Dispatch;

  Status = STATUS_INSUFFICIENT_RESOURCES;
  if (SyncCallBegin(&Call, NULL)) {
    Status = Listen->Basic.WskControlSocket(Socket, WskSetOption, SO_CONDITIONAL_ACCEPT,
                                            SOL_SOCKET, sizeof(Conditional), &Conditional, 0,
                                            NULL, NULL, Call.Irp);
    Status = SyncCallEnd(&Call, Status, NULL);
  }
  if (Status == STATUS_SUCCESS) {
    LocalAddress.sin_family = AF_INET;
    LocalAddress.sin_port = htons(LISTEN_PORT);
    LocalAddress.sin_addr.s_addr = INADDR_ANY;
    Status = STATUS_INSUFFICIENT_RESOURCES;
    if (SyncCallBegin(&Call, NULL)) {
      Status = Listen->WskBind(Socket, (PSOCKADDR)&LocalAddress, 0, Call.Irp);
      Status = SyncCallEnd(&Call, Status, NULL);
    }
  }
  if (Status != STATUS_SUCCESS) {
    ScenarioError("server: listening socket", Status);
    CloseSocketRetrying(Socket, CLOSE_TRIES, CLOSE_RETRY_MS);
    return NULL;
  }
  Control.NpiId = (PNPIID)&NPI_WSK_INTERFACE_ID;
  Control.EventMask = WSK_EVENT_ACCEPT;
  Listen->Basic.WskControlSocket(Socket, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET,
                                 sizeof(Control), &Control, 0, NULL, NULL, NULL);
  return Socket;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  PWSK_SOCKET Socket;
  LARGE_INTEGER Timeout;
  NTSTATUS Status;
  ULONG i;
  UNREFERENCED_PARAMETER(DriverObject);
  UNREFERENCED_PARAMETER(RegistryPath);

  Status = RegisterAndCapture(&Server.Registration, &Server.ProviderNpi);
  if (!NT_SUCCESS(Status)) return Status;
  KeInitializeSpinLock(&Server.RecordLock);
  InitializeListHead(&Server.Records);
  KeInitializeEvent(&Server.AllDecided, NotificationEvent, FALSE);

  Socket = ConditionalListener();
  Server.ListenSocket = Socket;

  /* The unload, once every request is decided. */
  if (Socket != NULL) {
    Timeout.QuadPart = DECIDED_TIMEOUT;
    KeWaitForSingleObject(&Server.AllDecided, Executive, KernelMode, FALSE, &Timeout);
    for (i = 0; i < Server.AcceptedCount; i++)
      CloseSocketRetrying(Server.Accepted[i], CLOSE_TRIES, CLOSE_RETRY_MS);
    CloseSocketRetrying(Socket, CLOSE_TRIES, CLOSE_RETRY_MS);
  }
  WskReleaseProviderNPI(&Server.Registration);
  WskDeregister(&Server.Registration);
  ScenarioUnloaded();
  return STATUS_SUCCESS;
}
