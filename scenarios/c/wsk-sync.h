/*
 * wsk-sync.h: the WSK boilerplate the C scenario drivers share, as static functions, the C side
 * of scenarios/support/driver.ts. A header rather than a .c: every scenarios/c/*.c is built as a
 * driver of its own, this file is only included ("#include "wsk-sync.h"" finds it next to the
 * including file). A driver that includes it has the same calls, in the same order, as the code
 * it replaces, so its traces are unchanged; fault and violation sites in these functions are
 * named wsk-sync.h:line.
 *
 * A synchronous call is an IRP whose completion routine signals a KEVENT the caller waits on when
 * the call pends ("Using IRPs with Winsock Kernel Functions",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/network/using-irps-with-winsock-kernel-functions).
 */
#ifndef WSK_SYNC_H
#define WSK_SYNC_H

#include <ntddk.h>
#include <wsk.h>

static const WSK_CLIENT_DISPATCH ClientDispatch = {MAKE_WSK_VERSION(1, 0), 0, NULL};

/* ---- the synchronous-call helper: an IRP whose completion routine signals an event ---- */

typedef struct _SYNC_CALL {
  PIRP Irp;
  KEVENT Event;
} SYNC_CALL, *PSYNC_CALL;

static IO_COMPLETION_ROUTINE SyncComplete;

/* A driver whose scenario counts completion routines' runs defines WSK_SYNC_COMPLETED(Irp), its
   hook, before it includes this file. */
static NTSTATUS SyncComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  UNREFERENCED_PARAMETER(DeviceObject);
  UNREFERENCED_PARAMETER(Irp);
#ifdef WSK_SYNC_COMPLETED
  WSK_SYNC_COMPLETED(Irp);
#endif
  KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

/* An IRP ready for one call: Preallocated, reused ("IoReuseIrp function (wdm.h)",
   https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-ioreuseirp), or a
   fresh one when it is NULL; FALSE when none can be allocated. */
static BOOLEAN SyncCallBegin(_Out_ PSYNC_CALL Call, _In_opt_ PIRP Preallocated) {
  if (Preallocated != NULL) IoReuseIrp(Preallocated, STATUS_UNSUCCESSFUL);
  Call->Irp = Preallocated != NULL ? Preallocated : IoAllocateIrp(1, FALSE);
  if (Call->Irp == NULL) return FALSE;
  KeInitializeEvent(&Call->Event, NotificationEvent, FALSE);
  IoSetCompletionRoutine(Call->Irp, SyncComplete, &Call->Event, TRUE, TRUE, TRUE);
  return TRUE;
}

/* Waits for the call when it pended; its status and information, the IRP freed. */
static NTSTATUS SyncCallEnd(_Inout_ PSYNC_CALL Call, _In_ NTSTATUS Returned,
                            _Out_opt_ ULONG_PTR *Information) {
  NTSTATUS Status;
  if (Returned == STATUS_PENDING)
    KeWaitForSingleObject(&Call->Event, Executive, KernelMode, FALSE, NULL);
  Status = Call->Irp->IoStatus.Status;
  if (Information != NULL) *Information = Call->Irp->IoStatus.Information;
  IoFreeIrp(Call->Irp);
  return Status;
}

static VOID SleepMs(_In_ ULONG Milliseconds) {
  KEVENT Never;
  LARGE_INTEGER Interval;
  KeInitializeEvent(&Never, NotificationEvent, FALSE);
  Interval.QuadPart = -(LONGLONG)Milliseconds * 10000;
  KeWaitForSingleObject(&Never, Executive, KernelMode, FALSE, &Interval);
}

/* Closes Socket with an IRP allocated beforehand, so the close cannot fail for want of one
   ("Closing a Socket",
   https://learn.microsoft.com/en-us/windows-hardware/drivers/network/closing-a-socket). */
static VOID CloseSocket(_In_ PWSK_SOCKET Socket, _In_ PIRP CloseIrp) {
  const WSK_PROVIDER_BASIC_DISPATCH *Dispatch = Socket->Dispatch;
  SYNC_CALL Call;
  SyncCallBegin(&Call, CloseIrp);
  SyncCallEnd(&Call, Dispatch->WskCloseSocket(Socket, Call.Irp), NULL);
}

/* WskCloseSocket with a fresh IRP, waited for; tried again RetryMs later while no IRP can be had,
   Tries times at most (STATUS_INSUFFICIENT_RESOURCES then). */
static NTSTATUS CloseSocketRetrying(_In_ PWSK_SOCKET Socket, _In_ ULONG Tries,
                                    _In_ ULONG RetryMs) {
  const WSK_PROVIDER_BASIC_DISPATCH *Dispatch = Socket->Dispatch;
  SYNC_CALL Call;
  ULONG Try;
  for (Try = 1;; Try++) {
    if (SyncCallBegin(&Call, NULL))
      return SyncCallEnd(&Call, Dispatch->WskCloseSocket(Socket, Call.Irp), NULL);
    if (Try == Tries) return STATUS_INSUFFICIENT_RESOURCES;
    SleepMs(RetryMs);
  }
}

/* ---- registration ---- */

/* WskRegister, then WskCaptureProviderNPI waiting as long as it takes; a failed capture
   deregisters again ("Registering a Winsock Kernel Application",
   https://learn.microsoft.com/en-us/windows-hardware/drivers/network/registering-a-winsock-kernel-application). */
static NTSTATUS RegisterAndCapture(_Out_ PWSK_REGISTRATION Registration,
                                   _Out_ PWSK_PROVIDER_NPI ProviderNpi) {
  WSK_CLIENT_NPI ClientNpi;
  NTSTATUS Status;
  ClientNpi.ClientContext = NULL;
  ClientNpi.Dispatch = &ClientDispatch;
  Status = WskRegister(&ClientNpi, Registration);
  if (!NT_SUCCESS(Status)) return Status;
  Status = WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, ProviderNpi);
  if (!NT_SUCCESS(Status)) WskDeregister(Registration);
  return Status;
}

/* ---- the listening socket ---- */

/* A listening socket bound to 0.0.0.0:Port, with ListenDispatch's events in EventMask enabled
   after the bind when EventMask is not 0 ("Enabling and Disabling Event Callback Functions",
   https://learn.microsoft.com/en-us/windows-hardware/drivers/network/enabling-and-disabling-event-callback-functions);
   CloseIrp is kept for its close, or freed when a step fails and NULL is returned. */
static PWSK_SOCKET OpenListener(_In_ const WSK_PROVIDER_NPI *ProviderNpi, _In_ USHORT Port,
                                _In_opt_ const WSK_CLIENT_LISTEN_DISPATCH *ListenDispatch,
                                _In_ ULONG EventMask, _In_ PIRP CloseIrp) {
  const WSK_PROVIDER_DISPATCH *Dispatch = ProviderNpi->Dispatch;
  const WSK_PROVIDER_LISTEN_DISPATCH *Listen;
  PWSK_SOCKET Socket;
  SYNC_CALL Call;
  NTSTATUS Status;
  ULONG_PTR Information = 0;
  SOCKADDR_IN LocalAddress = {0};
  WSK_EVENT_CALLBACK_CONTROL Control;

  Status = STATUS_INSUFFICIENT_RESOURCES;
  if (SyncCallBegin(&Call, NULL)) {
    Status = Dispatch->WskSocket(ProviderNpi->Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                 WSK_FLAG_LISTEN_SOCKET, NULL, ListenDispatch, NULL, NULL, NULL,
                                 Call.Irp);
    Status = SyncCallEnd(&Call, Status, &Information);
  }
  if (Status != STATUS_SUCCESS) {
    IoFreeIrp(CloseIrp);
    return NULL;
  }
  Socket = (PWSK_SOCKET)Information;
  Listen = Socket->Dispatch;
  LocalAddress.sin_family = AF_INET;
  LocalAddress.sin_port = htons(Port);
  LocalAddress.sin_addr.s_addr = INADDR_ANY;
  Status = STATUS_INSUFFICIENT_RESOURCES;
  if (SyncCallBegin(&Call, NULL)) {
    Status = Listen->WskBind(Socket, (PSOCKADDR)&LocalAddress, 0, Call.Irp);
    Status = SyncCallEnd(&Call, Status, NULL);
  }
  if (Status == STATUS_SUCCESS && EventMask != 0) {
    Control.NpiId = (PNPIID)&NPI_WSK_INTERFACE_ID;
    Control.EventMask = EventMask;
    Status = Listen->Basic.WskControlSocket(Socket, WskSetOption, SO_WSK_EVENT_CALLBACK,
                                            SOL_SOCKET, sizeof(Control), &Control, 0, NULL, NULL,
                                            NULL);
  }
  if (Status == STATUS_SUCCESS) return Socket;
  CloseSocket(Socket, CloseIrp);
  return NULL;
}

/* ---- the live connections an unload waits for ---- */

typedef struct _LIVE_CONNECTIONS {
  KSPIN_LOCK Lock;
  LONG Count;
  BOOLEAN Unloading;
  KEVENT NoneLeft; /* signalled once unloading with no connection left */
} LIVE_CONNECTIONS, *PLIVE_CONNECTIONS;

static VOID ConnectionsInitialize(_Out_ PLIVE_CONNECTIONS Live) {
  KeInitializeSpinLock(&Live->Lock);
  KeInitializeEvent(&Live->NoneLeft, NotificationEvent, FALSE);
}

static VOID ConnectionsChanged(_Inout_ PLIVE_CONNECTIONS Live, _In_ LONG Change,
                               _In_ BOOLEAN Unloading) {
  KIRQL OldIrql;
  KeAcquireSpinLock(&Live->Lock, &OldIrql);
  Live->Count += Change;
  if (Unloading) Live->Unloading = TRUE;
  if (Live->Unloading && Live->Count == 0) KeSetEvent(&Live->NoneLeft, IO_NO_INCREMENT, FALSE);
  KeReleaseSpinLock(&Live->Lock, OldIrql);
}

/* The unload of a listener's driver: sleep until UnloadAtMs, close the listener (which completes
   what is queued on it before itself), then wait for the last connection to close. */
static VOID UnloadListener(_In_ PWSK_SOCKET Listener, _In_ PIRP CloseIrp, _In_ ULONG UnloadAtMs,
                           _Inout_ PLIVE_CONNECTIONS Live) {
  SleepMs(UnloadAtMs);
  CloseSocket(Listener, CloseIrp);
  ConnectionsChanged(Live, 0, TRUE);
  KeWaitForSingleObject(&Live->NoneLeft, Executive, KernelMode, FALSE, NULL);
}

/* An event-driven server's life after its setup: the listener's close IRP first (its close must
   not fail for want of one), the listener on Port, then at UnloadAtMs the unload. */
static VOID ListenUntilUnload(_In_ const WSK_PROVIDER_NPI *ProviderNpi, _In_ USHORT Port,
                              _In_ const WSK_CLIENT_LISTEN_DISPATCH *ListenDispatch,
                              _In_ ULONG EventMask, _In_ ULONG UnloadAtMs,
                              _Inout_ PLIVE_CONNECTIONS Live) {
  PIRP CloseIrp = IoAllocateIrp(1, FALSE);
  PWSK_SOCKET Listener = NULL;
  if (CloseIrp != NULL)
    Listener = OpenListener(ProviderNpi, Port, ListenDispatch, EventMask, CloseIrp);
  if (Listener != NULL) UnloadListener(Listener, CloseIrp, UnloadAtMs, Live);
}

#endif /* WSK_SYNC_H */
