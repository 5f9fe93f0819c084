/*
 * The server driver of scenarios/seed-samples.ts, in C as a Windows driver writes it: the
 * listening page's AcceptConnection / AcceptComplete, WskAcceptEvent and WskInspectEvent /
 * WskAbortEvent ("Listening for and accepting incoming connections",
 * https://learn.microsoft.com/windows-hardware/drivers/network/listening-for-and-accepting-incoming-connections),
 * the registration of "Registering a Winsock Kernel Application"
 * (https://learn.microsoft.com/windows-hardware/drivers/network/registering-a-winsock-kernel-application)
 * and the synchronous-call helper WSK drivers share (wsk-sync.h: an IRP whose completion routine
 * signals a KEVENT). scenarios/seed-samples-c.ts loads it with seed-samples.ts's clients.
 *
 * It listens on port 80 with SO_CONDITIONAL_ACCEPT (WskInspectEvent accepts, WskAcceptEvent
 * takes the socket) and on port 81 with AcceptConnection's IRP; at 200 ms it closes everything
 * and deregisters. What it sees goes to the scenario through its hooks (module "scenario"),
 * which leave the trace alone, so the run's trace is the TypeScript twin's.
 *
 *   npx wsksim build-driver scenarios/c/seed-samples.c -o .wsksim/c/seed-samples.wasm
 */
#include <ntddk.h>
#include <wsk.h>

/* The scenario's hooks: what the driver saw, what failed, that it unloaded. */
#define SCENARIO(name) __attribute__((import_module("scenario"), import_name(#name)))
SCENARIO(Seen) VOID ScenarioSeen(_In_z_ PCSTR What, _In_opt_ PSOCKADDR Address, _In_ NTSTATUS Status);
SCENARIO(Error) VOID ScenarioError(_In_z_ PCSTR What, _In_ NTSTATUS Status);
SCENARIO(Completed) VOID ScenarioCompleted(_In_ PIRP Irp);
SCENARIO(Unloaded) VOID ScenarioUnloaded(VOID);
/* Each run of the synchronous calls' completion routine (wsk-sync.h) is told too. */
#define WSK_SYNC_COMPLETED(Irp) ScenarioCompleted(Irp)

#include "wsk-sync.h"

/* When the driver closes what it has and unloads: 200 ms from the start (absolute, 100 ns). */
#define UNLOAD_TIME (200LL * 10000)
/* How often, and how many milliseconds apart, a close is tried when no IRP can be had. */
#define TRIES 100
#define RETRY_MS 10

static WSK_REGISTRATION Registration;
static WSK_PROVIDER_NPI ProviderNpi;

/* Sockets the driver accepted, kept until unload (in a static table rather than pool, as the
   TypeScript twin keeps them in an array: its trace has no pool allocation to match). */
#define MAX_ACCEPTED 8
static PWSK_SOCKET Accepted[MAX_ACCEPTED];
static ULONG AcceptedCount;

static VOID KeepSocket(PWSK_SOCKET Socket) {
  if (AcceptedCount == MAX_ACCEPTED) {
    ScenarioError("server: too many accepted sockets", STATUS_INSUFFICIENT_RESOURCES);
    return;
  }
  Accepted[AcceptedCount++] = Socket;
}

/* Callbacks of accepted sockets that take what they are told and nothing more. */
static NTSTATUS WSKAPI QuietReceive(PVOID SocketContext, ULONG Flags,
    PWSK_DATA_INDICATION DataIndication, SIZE_T BytesIndicated, SIZE_T *BytesAccepted) {
  UNREFERENCED_PARAMETER(SocketContext);
  UNREFERENCED_PARAMETER(Flags);
  UNREFERENCED_PARAMETER(DataIndication);
  UNREFERENCED_PARAMETER(BytesIndicated);
  UNREFERENCED_PARAMETER(BytesAccepted);
  return STATUS_SUCCESS;
}
static NTSTATUS WSKAPI QuietDisconnect(PVOID SocketContext, ULONG Flags) {
  UNREFERENCED_PARAMETER(SocketContext);
  UNREFERENCED_PARAMETER(Flags);
  return STATUS_SUCCESS;
}
static NTSTATUS WSKAPI QuietBacklog(PVOID SocketContext, SIZE_T IdealBacklogSize) {
  UNREFERENCED_PARAMETER(SocketContext);
  UNREFERENCED_PARAMETER(IdealBacklogSize);
  return STATUS_SUCCESS;
}
static const WSK_CLIENT_CONNECTION_DISPATCH QuietConnectionDispatch = {
    QuietReceive, QuietDisconnect, QuietBacklog};

/* ---- The listening page's AcceptConnection / AcceptComplete ---- */

IO_COMPLETION_ROUTINE AcceptComplete;

// Function to accept an incoming connection
NTSTATUS
  AcceptConnection(
    PWSK_SOCKET Socket,
    PVOID AcceptSocketContext,
    PWSK_CLIENT_CONNECTION_DISPATCH AcceptSocketDispatch
    )
{
  PWSK_PROVIDER_LISTEN_DISPATCH Dispatch;
  PIRP Irp;
  NTSTATUS Status;

  // Get pointer to the socket's provider dispatch structure
  Dispatch =
    (PWSK_PROVIDER_LISTEN_DISPATCH)(Socket->Dispatch);

  // Allocate an IRP
  Irp =
    IoAllocateIrp(
      1,
      FALSE
      );

  // Check result
  if (!Irp)
  {
    // Return error
    return STATUS_INSUFFICIENT_RESOURCES;
  }

  // Set the completion routine for the IRP
  IoSetCompletionRoutine(
    Irp,
    AcceptComplete,
    AcceptSocketContext,
    TRUE,
    TRUE,
    TRUE
    );

  // Initiate the accept operation on the socket
  Status =
    Dispatch->WskAccept(
      Socket,
      0,  // No flags
      AcceptSocketContext,
      AcceptSocketDispatch,
      NULL,
      NULL,
      Irp
      );

  // Return the status of the call to WskAccept()
  return Status;
}

// The accept IRP's completion routine
NTSTATUS
  AcceptComplete(
    PDEVICE_OBJECT DeviceObject,
    PIRP Irp,
    PVOID Context
    )
{
  PWSK_SOCKET Socket;
  PVOID AcceptSocketContext;

  UNREFERENCED_PARAMETER(DeviceObject);
  ScenarioCompleted(Irp);

  // Check the result of the accept operation
  if (Irp->IoStatus.Status == STATUS_SUCCESS)
  {
    // Get the accepted socket object from the IRP
    Socket = (PWSK_SOCKET)(Irp->IoStatus.Information);

    // Get the accepted socket's context
    AcceptSocketContext = Context;
    UNREFERENCED_PARAMETER(AcceptSocketContext);

    // Perform the next operation on the accepted socket: keep it until unload
    KeepSocket(Socket);
  }

  // Error status
  else
  {
    // Handle error: the close of the listening socket cancels a queued accept
  }
  ScenarioSeen("AcceptComplete", NULL, Irp->IoStatus.Status);

  // Free the IRP
  IoFreeIrp(Irp);

  // Always return STATUS_MORE_PROCESSING_REQUIRED to
  // terminate the completion processing of the IRP.
  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* ---- The listening page's WskAcceptEvent ---- */

// A listening socket's WskAcceptEvent event callback function
NTSTATUS WSKAPI
  WskAcceptEvent(
    PVOID SocketContext,
    ULONG Flags,
    PSOCKADDR LocalAddress,
    PSOCKADDR RemoteAddress,
    PWSK_SOCKET AcceptSocket,
    PVOID *AcceptSocketContext,
    CONST WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch
    )
{
  UNREFERENCED_PARAMETER(SocketContext);
  UNREFERENCED_PARAMETER(Flags);
  UNREFERENCED_PARAMETER(LocalAddress);

  // Check for a valid new socket
  if (AcceptSocket != NULL)
  {
    // Keep the socket (the sample allocates a context here; ours is the list)
    KeepSocket(AcceptSocket);
    ScenarioSeen("WskAcceptEvent", RemoteAddress, STATUS_SUCCESS);

    // Set the accepted socket's client context
    *AcceptSocketContext = NULL;

    // Set the accepted socket's client connection event callback dispatch table
    *AcceptSocketDispatch = &QuietConnectionDispatch;

    // Return status indicating that the socket was accepted
    return STATUS_SUCCESS;
  }

  // Error with listening socket
  else
  {
    // Handle error: never here

    // Return status indicating that no socket was accepted
    return STATUS_REQUEST_NOT_ACCEPTED;
  }
}

/* ---- The listening page's WskInspectEvent / WskAbortEvent ---- */

// Inspect ID for a pending inspection
static WSK_INSPECT_ID PendingInspectID;

// A listening socket's WskInspectEvent event callback function
WSK_INSPECT_ACTION WSKAPI
  WskInspectEvent(
    PVOID SocketContext,
    PSOCKADDR LocalAddress,
    PSOCKADDR RemoteAddress,
    PWSK_INSPECT_ID InspectID
    )
{
  UNREFERENCED_PARAMETER(SocketContext);
  UNREFERENCED_PARAMETER(LocalAddress);

  // Check for a valid inspect ID
  if (InspectID != NULL)
  {
    // Inspect local and/or remote address of the incoming
    // connection request to determine if the connection should
    // be accepted or rejected: client1 is.
    ScenarioSeen("WskInspectEvent", RemoteAddress, STATUS_SUCCESS);
    return WskInspectAccept;
  }

  // Error with listening socket
  else
  {
    // Handle error

    // Return status indicating that a socket was not accepted
    return WskInspectReject;
  }
}

// A listening socket's WskAbortEvent event callback function
NTSTATUS WSKAPI
  WskAbortEvent(
    PVOID SocketContext,
    PWSK_INSPECT_ID InspectID
    )
{
  UNREFERENCED_PARAMETER(SocketContext);

  // Terminate the inspection for the incoming connection
  // request with a matching inspect ID. To test for a matching
  // inspect ID, the contents of the WSK_INSPECT_ID structures
  // must be compared, not the pointers to the structures.
  if (RtlEqualMemory(
        &PendingInspectID,
        InspectID,
        sizeof(WSK_INSPECT_ID)))
  {
    // Terminate the inspection for the incoming connection request
    RtlZeroMemory(&PendingInspectID, sizeof(WSK_INSPECT_ID));
  }
  return STATUS_SUCCESS;
}

// Dispatch table of event callback functions for the listening socket
const WSK_CLIENT_LISTEN_DISPATCH ListenDispatch =
{
  WskAcceptEvent,
  WskInspectEvent,
  WskAbortEvent
};

/* ---- the synchronous calls: wsk-sync.h's helper, issued by kind ---- */

/* What a synchronous call came to, its IRP freed. */
typedef struct _CALL_RESULT {
  NTSTATUS Status;
  ULONG_PTR Information;
} CALL_RESULT;

typedef enum { CallSocket, CallControl, CallBind } CALL_KIND;

typedef struct _CALL {
  CALL_KIND Kind;
  PWSK_SOCKET Socket;
  ULONG Flags;
  const VOID *Dispatch;
  PSOCKADDR Address;
} CALL;

static NTSTATUS Issue(const CALL *Call, PIRP Irp) {
  const WSK_PROVIDER_DISPATCH *Provider = ProviderNpi.Dispatch;
  const WSK_PROVIDER_LISTEN_DISPATCH *Listen =
      Call->Socket == NULL ? NULL : (PWSK_PROVIDER_LISTEN_DISPATCH)Call->Socket->Dispatch;
  ULONG One = 1;
  switch (Call->Kind) {
    case CallSocket:
      return Provider->WskSocket(ProviderNpi.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                 Call->Flags, NULL, Call->Dispatch, NULL, NULL, NULL, Irp);
    case CallControl:
      return Listen->Basic.WskControlSocket(Call->Socket, WskSetOption, SO_CONDITIONAL_ACCEPT,
                                            SOL_SOCKET, sizeof(ULONG), &One, 0, NULL, NULL, Irp);
    case CallBind:
    default:
      return Listen->WskBind(Call->Socket, Call->Address, 0, Irp);
  }
}

/* The call with a fresh IRP, waited for when it pends; FALSE when no IRP could be had. */
static BOOLEAN SyncCall(const CALL *Call, CALL_RESULT *Result) {
  SYNC_CALL Sync;
  if (!SyncCallBegin(&Sync, NULL)) {
    Result->Status = STATUS_INSUFFICIENT_RESOURCES;
    Result->Information = 0;
    return FALSE;
  }
  Result->Status = SyncCallEnd(&Sync, Issue(Call, Sync.Irp), &Result->Information);
  return TRUE;
}

/* Sleeps until Time (absolute, 100 ns). */
static VOID Sleep(LONGLONG Time) {
  KEVENT Never;
  LARGE_INTEGER Timeout;
  KeInitializeEvent(&Never, NotificationEvent, FALSE);
  Timeout.QuadPart = Time;
  KeWaitForSingleObject(&Never, Executive, KernelMode, FALSE, &Timeout);
}

/* ---- DriverEntry's body ---- */

static PWSK_SOCKET Listener(ULONG Port, const WSK_CLIENT_LISTEN_DISPATCH *Dispatch) {
  CALL Call = {CallSocket, NULL, WSK_FLAG_LISTEN_SOCKET, Dispatch, NULL};
  CALL_RESULT Result;
  SOCKADDR_IN Address = {AF_INET, 0, {{{0}}}, {0}};
  PWSK_SOCKET Socket;

  SyncCall(&Call, &Result);
  if (Result.Status != STATUS_SUCCESS) {
    ScenarioError("server: listening socket", Result.Status);
    return NULL;
  }
  Socket = (PWSK_SOCKET)Result.Information;
  Call.Socket = Socket;
  if (Dispatch != NULL) {
    Call.Kind = CallControl;
    SyncCall(&Call, &Result);
    if (Result.Status != STATUS_SUCCESS) {
      ScenarioError("server: listening socket", Result.Status);
      CloseSocketRetrying(Socket, TRIES, RETRY_MS);
      return NULL;
    }
  }
  Address.sin_port = htons((USHORT)Port);
  Call.Kind = CallBind;
  Call.Address = (PSOCKADDR)&Address;
  SyncCall(&Call, &Result);
  if (Result.Status != STATUS_SUCCESS) {
    ScenarioError("server: listening socket", Result.Status);
    CloseSocketRetrying(Socket, TRIES, RETRY_MS);
    return NULL;
  }
  if (Dispatch != NULL) {
    WSK_EVENT_CALLBACK_CONTROL Control;
    Control.NpiId = (PNPIID)&NPI_WSK_INTERFACE_ID;
    Control.EventMask = WSK_EVENT_ACCEPT;
    ((PWSK_PROVIDER_LISTEN_DISPATCH)Socket->Dispatch)->Basic.WskControlSocket(
        Socket, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(Control), &Control, 0,
        NULL, NULL, NULL);
  }
  return Socket;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  WSK_CLIENT_NPI ClientNpi;
  PWSK_SOCKET Conditional, IrpSocket;
  NTSTATUS Status;

  UNREFERENCED_PARAMETER(DriverObject);
  UNREFERENCED_PARAMETER(RegistryPath);
  PAGED_CODE();

  ClientNpi.ClientContext = NULL;
  ClientNpi.Dispatch = &ClientDispatch;
  Status = WskRegister(&ClientNpi, &Registration);
  if (!NT_SUCCESS(Status)) {
    ScenarioError("server: WskRegister", Status);
    return Status;
  }
  Status = WskCaptureProviderNPI(&Registration, WSK_INFINITE_WAIT, &ProviderNpi);
  if (!NT_SUCCESS(Status)) {
    ScenarioError("server: WskCaptureProviderNPI", Status);
    WskDeregister(&Registration);
    return Status;
  }

  Conditional = Listener(80, &ListenDispatch);
  IrpSocket = Listener(81, NULL);
  if (IrpSocket != NULL) {
    Status = AcceptConnection(IrpSocket, NULL, (PWSK_CLIENT_CONNECTION_DISPATCH)&QuietConnectionDispatch);
    if (Status != STATUS_PENDING && Status != STATUS_SUCCESS)
      ScenarioError("server: AcceptConnection", Status);
  }

  Sleep(UNLOAD_TIME);
  for (ULONG i = 0; i < AcceptedCount; i++) CloseSocketRetrying(Accepted[i], TRIES, RETRY_MS);
  if (IrpSocket != NULL) CloseSocketRetrying(IrpSocket, TRIES, RETRY_MS);
  if (Conditional != NULL) CloseSocketRetrying(Conditional, TRIES, RETRY_MS);
  WskReleaseProviderNPI(&Registration);
  WskDeregister(&Registration);
  ScenarioUnloaded();
  return STATUS_SUCCESS;
}
