/*
 * The server driver of scenarios/datagram-echo.ts, in C as a Windows driver writes it: a datagram
 * socket bound to port 7 that echoes each datagram WskReceiveFromEvent indicates with WskSendTo,
 * from inside the callback, and returns STATUS_SUCCESS (the list is consumed), per "Receiving
 * Datagrams over a Datagram Socket"
 * (https://learn.microsoft.com/windows-hardware/drivers/network/receiving-datagrams-over-a-datagram-socket)
 * and "Sending Datagrams over a Datagram Socket"
 * (https://learn.microsoft.com/windows-hardware/drivers/network/sending-datagrams-over-a-datagram-socket);
 * the registration of "Registering a Winsock Kernel Application"
 * (https://learn.microsoft.com/windows-hardware/drivers/network/registering-a-winsock-kernel-application)
 * and the synchronous-call helper WSK drivers share (wsk-sync.h: an IRP whose completion routine
 * signals a KEVENT). scenarios/datagram-echo-c.ts loads it with datagram-echo.ts's client.
 *
 * It makes the twin's kernel calls in the twin's order: each echo an IRP and an MDL over a copy
 * of the datagram, freed by the send's completion routine; at 20 s it closes the socket and
 * deregisters. The copies live in a static ring of slots rather than pool, as the twin's copies
 * are JavaScript arrays: its trace has no pool allocation to match. What it sees goes to the
 * scenario through its hooks (module "scenario"), which leave the trace alone.
 *
 *   npx wsksim build-driver scenarios/c/datagram-echo.c -o .wsksim/c/datagram-echo.wasm
 */
#include <ntddk.h>
#include <wsk.h>

/* The scenario's hooks: what failed, each completion routine's run, that it unloaded. */
#define SCENARIO(name) __attribute__((import_module("scenario"), import_name(#name)))
SCENARIO(Error) VOID ScenarioError(_In_z_ PCSTR What, _In_ NTSTATUS Status);
SCENARIO(Completed) VOID ScenarioCompleted(_In_ PIRP Irp);
SCENARIO(Unloaded) VOID ScenarioUnloaded(VOID);
/* Each run of the synchronous calls' completion routine (wsk-sync.h) is told too. */
#define WSK_SYNC_COMPLETED(Irp) ScenarioCompleted(Irp)

#include "wsk-sync.h"

/* The server closes 20 s after it started listening. */
#define SERVER_MS 20000
/* How often, and how many milliseconds apart, a close is tried when no IRP can be had. */
#define TRIES 100
#define RETRY_MS 10
/* The echo copies: a slot per send in flight, each as large as a request may be. */
#define SLOTS 16
#define SLOT_BYTES 64

static WSK_REGISTRATION Registration;
static WSK_PROVIDER_NPI ProviderNpi;
/* The socket while it echoes; NULL once the server closes it. */
static PWSK_SOCKET Socket;

static UCHAR Copies[SLOTS][SLOT_BYTES];
static BOOLEAN Busy[SLOTS];

/* ---- the echo: WskSendTo from inside WskReceiveFromEvent ---- */

/* A send's completion routine: its MDL and IRP are freed, its slot free again. */
static NTSTATUS SendComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  PMDL Mdl = (PMDL)Context;
  UNREFERENCED_PARAMETER(DeviceObject);
  ScenarioCompleted(Irp);
  if (Irp->IoStatus.Status != STATUS_SUCCESS)
    ScenarioError("echo WskSendTo", Irp->IoStatus.Status);
  Busy[((PUCHAR)Mdl->MappedSystemVa - Copies[0]) / SLOT_BYTES] = FALSE;
  IoFreeMdl(Mdl);
  IoFreeIrp(Irp);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* A free slot, NULL when every one is in flight. */
static PUCHAR FreeSlot(VOID) {
  for (ULONG i = 0; i < SLOTS; i++) {
    if (!Busy[i]) {
      Busy[i] = TRUE;
      return Copies[i];
    }
  }
  return NULL;
}

static VOID Echo(PWSK_DATAGRAM_INDICATION Item) {
  PWSK_PROVIDER_DATAGRAM_DISPATCH Dispatch = (PWSK_PROVIDER_DATAGRAM_DISPATCH)Socket->Dispatch;
  ULONG Length = (ULONG)Item->Buffer.Length;
  PUCHAR Bytes = (PUCHAR)Item->Buffer.Mdl->MappedSystemVa + Item->Buffer.Offset;
  PUCHAR Copy = Length <= SLOT_BYTES ? FreeSlot() : NULL;
  PIRP Irp;
  PMDL Mdl = NULL;
  WSK_BUF Buffer;
  if (Copy == NULL) return; /* no echo this time: the client sends again */
  RtlCopyMemory(Copy, Bytes, Length);
  Irp = IoAllocateIrp(1, FALSE);
  if (Irp != NULL) Mdl = IoAllocateMdl(Copy, Length, FALSE, FALSE, NULL);
  if (Irp == NULL || Mdl == NULL) {
    if (Irp != NULL) IoFreeIrp(Irp);
    Busy[(Copy - Copies[0]) / SLOT_BYTES] = FALSE;
    return; /* no echo this time: the client sends again */
  }
  IoSetCompletionRoutine(Irp, SendComplete, Mdl, TRUE, TRUE, TRUE);
  Buffer.Mdl = Mdl;
  Buffer.Offset = 0;
  Buffer.Length = Length;
  Dispatch->WskSendTo(Socket, &Buffer, 0, Item->RemoteAddress, 0, NULL, Irp);
}

static NTSTATUS WSKAPI ReceiveFromEvent(PVOID SocketContext, ULONG Flags,
                                        PWSK_DATAGRAM_INDICATION DataIndication) {
  UNREFERENCED_PARAMETER(SocketContext);
  UNREFERENCED_PARAMETER(Flags);
  for (PWSK_DATAGRAM_INDICATION Item = DataIndication; Item != NULL && Socket != NULL;
       Item = Item->Next)
    Echo(Item);
  return STATUS_SUCCESS;
}

static const WSK_CLIENT_DATAGRAM_DISPATCH DatagramDispatch = {ReceiveFromEvent};

/* ---- the synchronous calls: wsk-sync.h's helper, issued by kind ---- */

typedef enum { CallSocket, CallBind } CALL_KIND;

typedef struct _CALL {
  CALL_KIND Kind;
  PWSK_SOCKET Socket;
  PSOCKADDR Address;
} CALL;

static NTSTATUS Issue(const CALL *Call, PIRP Irp) {
  const WSK_PROVIDER_DISPATCH *Provider = ProviderNpi.Dispatch;
  PWSK_PROVIDER_DATAGRAM_DISPATCH Dispatch =
      Call->Socket == NULL ? NULL : (PWSK_PROVIDER_DATAGRAM_DISPATCH)Call->Socket->Dispatch;
  switch (Call->Kind) {
    case CallSocket:
      return Provider->WskSocket(ProviderNpi.Client, AF_INET, SOCK_DGRAM, IPPROTO_UDP,
                                 WSK_FLAG_DATAGRAM_SOCKET, NULL, &DatagramDispatch, NULL, NULL,
                                 NULL, Irp);
    case CallBind:
    default:
      return Dispatch->WskBind(Call->Socket, Call->Address, 0, Irp);
  }
}

/* The call with a fresh IRP, waited for when it pends; FALSE when no IRP could be had. */
static BOOLEAN SyncCall(const CALL *Call, PNTSTATUS Status, PULONG_PTR Information) {
  SYNC_CALL Sync;
  if (!SyncCallBegin(&Sync, NULL)) {
    *Status = STATUS_INSUFFICIENT_RESOURCES;
    *Information = 0;
    return FALSE;
  }
  *Status = SyncCallEnd(&Sync, Issue(Call, Sync.Irp), Information);
  return TRUE;
}

/* The datagram socket bound to 0.0.0.0:7; NULL after noting an error. */
static PWSK_SOCKET DatagramSocket(VOID) {
  CALL Call = {CallSocket, NULL, NULL};
  SOCKADDR_IN Local = {AF_INET, 0, {{{0}}}, {0}};
  NTSTATUS Status;
  ULONG_PTR Information;
  SyncCall(&Call, &Status, &Information);
  if (Status != STATUS_SUCCESS) {
    ScenarioError("WskSocket", Status);
    return NULL;
  }
  Local.sin_port = htons(7);
  Call.Kind = CallBind;
  Call.Socket = (PWSK_SOCKET)Information;
  Call.Address = (PSOCKADDR)&Local;
  SyncCall(&Call, &Status, &Information);
  if (Status != STATUS_SUCCESS) ScenarioError("WskBind", Status);
  return Call.Socket;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  WSK_CLIENT_NPI ClientNpi = {NULL, &ClientDispatch};
  WSK_EVENT_CALLBACK_CONTROL Control = {(PNPIID)&NPI_WSK_INTERFACE_ID, WSK_EVENT_RECEIVE_FROM};
  PWSK_SOCKET Made, Closing;
  NTSTATUS Status;
  UNREFERENCED_PARAMETER(DriverObject);
  UNREFERENCED_PARAMETER(RegistryPath);

  Status = WskRegister(&ClientNpi, &Registration);
  if (!NT_SUCCESS(Status)) {
    ScenarioError("WskRegister", Status);
    return Status;
  }
  Status = WskCaptureProviderNPI(&Registration, WSK_INFINITE_WAIT, &ProviderNpi);
  if (!NT_SUCCESS(Status)) {
    ScenarioError("WskCaptureProviderNPI", Status);
    WskDeregister(&Registration);
    return Status;
  }
  Made = DatagramSocket();
  Socket = Made;
  if (Made != NULL) {
    PWSK_PROVIDER_DATAGRAM_DISPATCH Dispatch = (PWSK_PROVIDER_DATAGRAM_DISPATCH)Made->Dispatch;
    Status = Dispatch->Basic.WskControlSocket(Made, WskSetOption, SO_WSK_EVENT_CALLBACK,
                                              SOL_SOCKET, sizeof(Control), &Control, 0, NULL,
                                              NULL, NULL);
    if (Status != STATUS_SUCCESS) ScenarioError("enable", Status);
    SleepMs(SERVER_MS);
    Closing = Socket;
    Socket = NULL;
    CloseSocketRetrying(Closing, TRIES, RETRY_MS);
  }
  WskReleaseProviderNPI(&Registration);
  WskDeregister(&Registration);
  ScenarioUnloaded();
  return STATUS_SUCCESS;
}
