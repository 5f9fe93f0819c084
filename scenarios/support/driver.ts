/**
 * The DriverEntry preamble and helpers the WSK scenarios share, written as a driver writes them:
 * registration and capture of the provider NPI, the synchronous-call helper (an IRP whose
 * completion routine signals a KEVENT, waited on when the call pends), and a sleep.
 */
import {
  Executive,
  IO_NO_INCREMENT,
  IRP,
  KEVENT,
  KernelMode,
  MAKE_WSK_VERSION,
  NotificationEvent,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  WSK_INFINITE_WAIT,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  statusName,
  type IO_COMPLETION_ROUTINE,
  type Kernel,
  type NTSTATUS,
  type WSK_CLIENT_NPI,
} from '../../src/wsk/index.ts';

/** Client NPI and registration: the driver's DriverEntry preamble. */
export async function register(k: Kernel, Registration: WSK_REGISTRATION, Npi: WSK_PROVIDER_NPI) {
  const ClientNpi: WSK_CLIENT_NPI = {
    ClientContext: null,
    Dispatch: { Version: MAKE_WSK_VERSION(1, 0), Reserved: 0, WskClientEvent: null },
  };
  let Status = k.WskRegister(ClientNpi, Registration);
  if (Status !== STATUS_SUCCESS) throw new Error(`WskRegister: ${statusName(Status)}`);
  Status = await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, Npi);
  if (Status !== STATUS_SUCCESS) throw new Error(`WskCaptureProviderNPI: ${statusName(Status)}`);
}

/**
 * The usual synchronous-call helper of WSK drivers: an IRP whose completion routine signals a
 * KEVENT, waited on when the call pends.
 */
export function syncCaller(k: Kernel, calls: Map<IRP, number>) {
  const SyncComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
    void DeviceObject;
    calls.set(Irp, (calls.get(Irp) ?? 0) + 1);
    k.KeSetEvent(Context as KEVENT, IO_NO_INCREMENT, false);
    return STATUS_MORE_PROCESSING_REQUIRED;
  };
  return async (call: (Irp: IRP) => NTSTATUS): Promise<IRP> => {
    const Irp = k.IoAllocateIrp(1, false);
    if (!Irp) throw new Error('IoAllocateIrp failed');
    const Event = new KEVENT();
    k.KeInitializeEvent(Event, NotificationEvent, false);
    k.IoSetCompletionRoutine(Irp, SyncComplete, Event, true, true, true);
    if (call(Irp) === STATUS_PENDING)
      await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, null);
    return Irp;
  };
}

/** Waits `ms` milliseconds (a relative timeout on an event nobody signals). */
export async function sleep(k: Kernel, ms: number): Promise<void> {
  const Never = new KEVENT();
  k.KeInitializeEvent(Never, NotificationEvent, false);
  await k.KeWaitForSingleObject(Never, Executive, KernelMode, false, { QuadPart: -ms * 10_000 });
}
