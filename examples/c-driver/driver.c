/* A WSK server in C: it listens on port 80, accepts one connection, closes it and unloads. */
#include <ntddk.h>
#include <wsk.h>

static WSK_REGISTRATION Registration;
static WSK_PROVIDER_NPI Npi;
static const WSK_CLIENT_DISPATCH ClientDispatch = {MAKE_WSK_VERSION(1, 0), 0, NULL};
static KEVENT AcceptDone;
static PWSK_SOCKET Connection;

/* A call made synchronously: an IRP whose completion routine signals an event. */
typedef struct _SYNC {
  KEVENT Event;
  PIRP Irp;
} SYNC;

static NTSTATUS SyncComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  UNREFERENCED_PARAMETER(DeviceObject);
  UNREFERENCED_PARAMETER(Irp);
  KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

static BOOLEAN Begin(SYNC *Sync) {
  Sync->Irp = IoAllocateIrp(1, FALSE);
  if (Sync->Irp == NULL) return FALSE;
  KeInitializeEvent(&Sync->Event, NotificationEvent, FALSE);
  IoSetCompletionRoutine(Sync->Irp, SyncComplete, &Sync->Event, TRUE, TRUE, TRUE);
  return TRUE;
}

static NTSTATUS End(SYNC *Sync, NTSTATUS Status, ULONG_PTR *Information) {
  if (Status == STATUS_PENDING)
    KeWaitForSingleObject(&Sync->Event, Executive, KernelMode, FALSE, NULL);
  Status = Sync->Irp->IoStatus.Status;
  if (Information != NULL) *Information = Sync->Irp->IoStatus.Information;
  IoFreeIrp(Sync->Irp);
  return Status;
}

static VOID Close(PWSK_SOCKET Socket) {
  SYNC Sync;
  if (Begin(&Sync))
    End(&Sync, ((PWSK_PROVIDER_BASIC_DISPATCH)Socket->Dispatch)->WskCloseSocket(Socket, Sync.Irp),
        NULL);
}

IO_COMPLETION_ROUTINE AcceptComplete;

/* The listening page's AcceptConnection, without its check of IoAllocateIrp's result. */
static NTSTATUS AcceptConnection(PWSK_SOCKET Socket) {
  PWSK_PROVIDER_LISTEN_DISPATCH Dispatch = (PWSK_PROVIDER_LISTEN_DISPATCH)Socket->Dispatch;
  PIRP Irp = IoAllocateIrp(1, FALSE);
  IoSetCompletionRoutine(Irp, AcceptComplete, NULL, TRUE, TRUE, TRUE);
  return Dispatch->WskAccept(Socket, 0, NULL, NULL, NULL, NULL, Irp);
}

NTSTATUS AcceptComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context) {
  UNREFERENCED_PARAMETER(DeviceObject);
  UNREFERENCED_PARAMETER(Context);
  if (Irp->IoStatus.Status == STATUS_SUCCESS) Connection = (PWSK_SOCKET)Irp->IoStatus.Information;
  IoFreeIrp(Irp);
  KeSetEvent(&AcceptDone, IO_NO_INCREMENT, FALSE);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {
  WSK_CLIENT_NPI Client = {NULL, &ClientDispatch};
  SOCKADDR_IN Address;
  LARGE_INTEGER Timeout;
  ULONG_PTR Information;
  PWSK_SOCKET Listener;
  SYNC Sync;
  NTSTATUS Status;
  UNREFERENCED_PARAMETER(DriverObject);
  UNREFERENCED_PARAMETER(RegistryPath);

  KeInitializeEvent(&AcceptDone, NotificationEvent, FALSE);
  Status = WskRegister(&Client, &Registration);
  if (!NT_SUCCESS(Status)) return Status;
  Status = WskCaptureProviderNPI(&Registration, WSK_INFINITE_WAIT, &Npi);
  if (!NT_SUCCESS(Status)) {
    WskDeregister(&Registration);
    return Status;
  }
  if (Begin(&Sync)) {
    Status = End(&Sync, Npi.Dispatch->WskSocket(Npi.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
        WSK_FLAG_LISTEN_SOCKET, NULL, NULL, NULL, NULL, NULL, Sync.Irp), &Information);
    if (NT_SUCCESS(Status)) {
      Listener = (PWSK_SOCKET)Information;
      RtlZeroMemory(&Address, sizeof(Address));
      Address.sin_family = AF_INET;
      Address.sin_port = htons(80);
      if (Begin(&Sync)) {
        End(&Sync, ((PWSK_PROVIDER_LISTEN_DISPATCH)Listener->Dispatch)->WskBind(
            Listener, (PSOCKADDR)&Address, 0, Sync.Irp), NULL);
      }
      AcceptConnection(Listener);
      Timeout.QuadPart = -10000000LL; /* 1 s */
      KeWaitForSingleObject(&AcceptDone, Executive, KernelMode, FALSE, &Timeout);
      if (Connection != NULL) Close(Connection);
      Close(Listener);
    }
  }
  WskReleaseProviderNPI(&Registration);
  WskDeregister(&Registration);
  return STATUS_SUCCESS;
}
